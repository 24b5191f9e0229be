//! The scenarios screen: the incident write-ups' titles (the shown one highlighted) and
//! the shown one's Markdown rendered readably, scrolled with `scenario_scroll`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Padding, Paragraph};

use crate::dashboard::markdown;
use crate::dashboard::model::Dashboard;

use super::panel::panel;
use super::text::trim_right;
use super::theme::Theme;

/// From this width the titles sit beside the text rather than above it.
const SIDE_BY_SIDE: u16 = 110;
/// Columns of the titles beside the text.
const LIST_WIDTH: u16 = 32;

/// Draws the screen into `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &Dashboard, theme: &Theme) {
    if state.scenarios.is_empty() {
        let block = panel(" Scenarios ", true, theme);
        let text = Line::styled(" this challenge has no incident write-ups", theme.dim);
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    }
    let count = u16::try_from(state.scenarios.len()).unwrap_or(u16::MAX);
    let (list_area, text_area) = if area.width >= SIDE_BY_SIDE {
        let [list, text] =
            Layout::horizontal([Constraint::Length(LIST_WIDTH), Constraint::Fill(1)]).areas(area);
        (list, text)
    } else {
        let [list, text] = Layout::vertical([
            Constraint::Length(count.saturating_add(2)),
            Constraint::Fill(1),
        ])
        .areas(area);
        (list, text)
    };
    let index = state.scenario_index.min(state.scenarios.len() - 1);
    let width = usize::from(list_area.width.saturating_sub(4));
    let titles: Vec<Line<'_>> = state
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, scenario)| {
            // The key is shown; a title that repeats it ("Scenario 02: …") drops it.
            let name = scenario
                .title
                .split_once(": ")
                .filter(|(head, _)| head.ends_with(scenario.key.as_str()))
                .map_or(scenario.title.as_str(), |(_, name)| name);
            let title = trim_right(&format!("{} {name}", scenario.key), width).into_owned();
            if i == index {
                Line::from(vec![Span::styled("▸ ", theme.accent), Span::raw(title)])
                    .style(theme.selected)
            } else {
                Line::from(vec![Span::raw("  "), Span::styled(title, theme.dim)])
            }
        })
        .collect();
    frame.render_widget(
        Paragraph::new(titles).block(panel(" Scenarios ← → ", false, theme)),
        list_area,
    );

    let scenario = &state.scenarios[index];
    let block = panel(format!(" {} ", scenario.key), true, theme).padding(Padding::horizontal(1));
    let inner = block.inner(text_area);
    let lines = markdown::render(
        &scenario.markdown,
        usize::from(inner.width.saturating_sub(1)),
        theme,
    );
    // Scrolling stops at the last screenful rather than into emptiness.
    let last = lines.len().saturating_sub(usize::from(inner.height));
    let scroll = usize::from(state.scenario_scroll).min(last);
    let position = format!(
        " {}–{} of {} ",
        scroll + 1,
        (scroll + usize::from(inner.height)).min(lines.len()),
        lines.len()
    );
    let block = block.title_bottom(Line::styled(position, theme.dim).right_aligned());
    let paragraph = Paragraph::new(lines)
        .block(block)
        .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0));
    frame.render_widget(paragraph, text_area);
}
