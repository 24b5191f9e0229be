//! The failures panel: failing tests grouped by category, a kind symbol and the test's
//! path trimmed from the left; during a run, a test that has passed in it shows a green
//! ✓. Only the rows inside the viewport are formatted, with the selection kept in view,
//! so hundreds of failures cost no more than a screenful.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::dashboard::model::{Dashboard, FailureRow, Focus};
use crate::runner::FailureKind;

use super::panel::panel;
use super::text::trim_left;
use super::theme::Theme;

/// One row of the panel: a category's group header, or a visible failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Row {
    /// The category (index) whose failures follow, and how many are shown.
    Group(usize, usize),
    /// Position in the visible failures.
    Failure(usize),
}

/// The symbol of a failure kind (one column each).
pub fn symbol(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::Failed => "✗",
        FailureKind::Timeout => "◷",
        FailureKind::Leak => "◌",
        FailureKind::Error => "!",
        FailureKind::DidNotBuild => "⊗",
        FailureKind::DidNotRun => "⊘",
    }
}

/// Draws the panel into `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &Dashboard, theme: &Theme) {
    let list = &state.failures;
    let focused = state.focus == Focus::Failures;
    let block = panel(title(state, theme), focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let search_rows = u16::from(list.searching);
    let [rows_area, search_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(search_rows)]).areas(inner);
    if list.searching {
        let line = Line::from(vec![
            Span::styled("/", theme.accent),
            Span::raw(list.search.as_str()),
            Span::styled("▏", theme.accent),
        ]);
        frame.render_widget(line, search_area);
    }
    if list.visible.is_empty() {
        let text = match (&state.suite, list.rows.is_empty()) {
            (None, _) => "no results yet",
            (Some(_), true) => "no failures",
            (Some(_), false) => "no failure matches (Esc clears)",
        };
        frame.render_widget(Line::styled(format!(" {text}"), theme.dim), rows_area);
        return;
    }
    let rows = layout(state);
    let height = usize::from(rows_area.height);
    let selected = rows
        .iter()
        .position(|row| *row == Row::Failure(list.selected))
        .unwrap_or(0);
    // The selection sits mid-panel once the list is longer than the panel: stateless
    // (draw keeps no offset) and it always shows what comes next.
    let offset = selected
        .saturating_sub(height / 2)
        .min(rows.len().saturating_sub(height));
    let width = usize::from(rows_area.width);
    let lines: Vec<Line<'_>> = rows
        .iter()
        .skip(offset)
        .take(height)
        .map(|row| match *row {
            Row::Group(category, count) => group_line(state, category, count, theme),
            Row::Failure(position) => {
                let row = &list.rows[list.visible[position]];
                failure_line(state, row, position == list.selected, width, theme)
            }
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), rows_area);
}

/// ` Failures 12/300 · unit · /proxy `.
fn title<'a>(state: &'a Dashboard, theme: &Theme) -> Line<'a> {
    let list = &state.failures;
    let mut spans = vec![
        Span::raw(" Failures "),
        Span::styled(
            format!("{}/{}", list.visible.len(), list.rows.len()),
            theme.dim,
        ),
    ];
    if let Some(category) = list.category_filter.and_then(|i| state.categories.get(i)) {
        spans.push(Span::styled(format!(" · {}", category.name), theme.accent));
    }
    if !list.search.is_empty() && !list.searching {
        spans.push(Span::styled(format!(" · /{}", list.search), theme.accent));
    }
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// Every row of the panel in order: a group header before each category's failures.
fn layout(state: &Dashboard) -> Vec<Row> {
    let list = &state.failures;
    let mut rows = Vec::with_capacity(list.visible.len() + state.categories.len());
    // Index in `rows` of the current group's header, counted up as its rows come.
    let mut header: Option<usize> = None;
    for (position, &index) in list.visible.iter().enumerate() {
        let category = list.rows[index].category;
        match header {
            Some(at) if matches!(rows[at], Row::Group(c, _) if c == category) => {
                if let Row::Group(_, count) = &mut rows[at] {
                    *count += 1;
                }
            }
            _ => {
                header = Some(rows.len());
                rows.push(Row::Group(category, 1));
            }
        }
        rows.push(Row::Failure(position));
    }
    rows
}

fn group_line<'a>(state: &'a Dashboard, category: usize, count: usize, theme: &Theme) -> Line<'a> {
    let name = state
        .categories
        .get(category)
        .map_or("?", |c| c.name.as_str());
    Line::from(vec![
        Span::styled(name, theme.heading),
        Span::styled(format!(" {count}"), theme.dim),
    ])
}

fn failure_line<'a>(
    state: &'a Dashboard,
    row: &'a FailureRow,
    selected: bool,
    width: usize,
    theme: &Theme,
) -> Line<'a> {
    let (mark, mark_style) = match state.live_outcome(&row.result.id) {
        Some(true) => ("✓", theme.good),
        Some(false) => ("✗", theme.removed),
        None => {
            let style = match row.kind() {
                FailureKind::Timeout | FailureKind::Leak | FailureKind::DidNotRun => theme.warn,
                _ => theme.bad,
            };
            (symbol(row.kind()), style)
        }
    };
    let name = trim_left(&row.result.id.name, width.saturating_sub(4)).into_owned();
    let pointer = if selected { "▸" } else { " " };
    let line = Line::from(vec![
        Span::styled(pointer, theme.accent),
        Span::raw(" "),
        Span::styled(mark, mark_style),
        Span::raw(" "),
        Span::raw(name),
    ]);
    match (selected, state.focus == Focus::Failures) {
        (true, true) => line.style(theme.selected),
        _ => line,
    }
}
