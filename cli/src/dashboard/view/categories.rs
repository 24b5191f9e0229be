//! The categories panel: per category passed/total with a gauge, its weight and whether
//! it is complete (bonus earned); live `done/expected` and failures during a run;
//! results from older code dimmed and marked `old`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::dashboard::model::{Dashboard, Focus};

use super::panel::panel;
use super::text::{bar, cells, percent};
use super::theme::Theme;

/// Columns of the name.
const NAME: usize = 12;
/// Columns of `passed/total`.
const COUNT: usize = 8;
/// Columns after the gauge: ` ×1.5` and the mark.
const TAIL: usize = 5 + 5;

/// Rows the panel needs for `state`'s categories (borders included).
pub fn height(state: &Dashboard) -> u16 {
    u16::try_from(state.categories.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2)
}

/// Draws the panel into `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &Dashboard, theme: &Theme) {
    let focused = state.focus == Focus::Categories;
    let mut block = panel(" Categories ", focused, theme);
    if let Some(suite) = &state.suite {
        block = block.title_bottom(
            Line::from(format!(
                " weighted pass {} ",
                percent(suite.weighted_pass_rate())
            ))
            .style(theme.dim)
            .right_aligned(),
        );
    }
    let inner = usize::from(block.inner(area).width);
    let gauge = inner.saturating_sub(NAME + COUNT + 1 + TAIL).max(3);
    let lines: Vec<Line<'_>> = (0..state.categories.len())
        .map(|index| {
            let line = row(state, index, gauge, theme);
            if focused && index == state.category_cursor {
                line.style(theme.selected)
            } else {
                line
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn row<'a>(state: &'a Dashboard, index: usize, gauge: usize, theme: &Theme) -> Line<'a> {
    let category = &state.categories[index];
    let stale = state.stale.contains(&category.name);
    let filtered = state.failures.category_filter == Some(index);
    let name_style = if filtered { theme.accent } else { theme.text };
    let mut spans = vec![Span::styled(
        format!(
            "{}{:<w$}",
            if filtered { "▸" } else { " " },
            category.name,
            w = NAME - 1
        ),
        name_style,
    )];
    let weight = Span::styled(format!(" ×{:<3.1}", category.weight), theme.dim);
    if let Some(progress) = state.progress(index) {
        let count = if progress.expected > 0 {
            format!("{}/{}", progress.done, progress.expected)
        } else {
            progress.done.to_string()
        };
        spans.push(Span::raw(format!("{count:>COUNT$} ")));
        push_bar(
            &mut spans,
            cells(progress.done, progress.expected, gauge),
            gauge,
            theme.accent,
            theme,
        );
        spans.push(weight);
        if progress.failed > 0 {
            spans.push(Span::styled(format!(" {:>3}✗", progress.failed), theme.bad));
        }
        return Line::from(spans);
    }
    match state.tally(index) {
        Some((passed, total)) => {
            let complete = total > 0 && passed == total;
            let count_style = match (stale, complete) {
                (true, _) => theme.dim,
                (false, true) => theme.good,
                (false, false) => theme.bad,
            };
            spans.push(Span::styled(
                format!("{:>COUNT$} ", format!("{passed}/{total}")),
                count_style,
            ));
            let fill = if stale { theme.dim } else { theme.good };
            push_bar(&mut spans, cells(passed, total, gauge), gauge, fill, theme);
            spans.push(weight);
            if stale {
                spans.push(Span::styled("  old", theme.dim));
            } else if complete {
                spans.push(Span::styled("    ✓", theme.good));
            }
        }
        None => {
            spans.push(Span::styled(format!("{:>COUNT$} ", "—"), theme.dim));
            push_bar(&mut spans, 0, gauge, theme.dim, theme);
            spans.push(weight);
        }
    }
    let line = Line::from(spans);
    if stale { line.style(theme.dim) } else { line }
}

fn push_bar(spans: &mut Vec<Span<'_>>, filled: usize, width: usize, fill: Style, theme: &Theme) {
    let (full, empty) = bar(filled, width);
    spans.push(Span::styled(full, fill));
    spans.push(Span::styled(empty, theme.dim));
}
