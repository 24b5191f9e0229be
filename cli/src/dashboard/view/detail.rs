//! The detail panel: everything about the selected failure — its full name, how it
//! failed, the scenario it relates to, the panic message with an assertion's sides as
//! an inline diff, what it printed, the hints shown — or the compiler's errors when the
//! code does not build. Scrolls with `detail_scroll`.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::dashboard::model::{Dashboard, FailureRow, Focus};
use crate::runner::{assert_sides, is_side_line};

use super::diff;
use super::panel::panel;
use super::theme::Theme;

/// Draws the panel into `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &Dashboard, theme: &Theme) {
    let focused = state.focus == Focus::Detail;
    let errors = state.build_errors();
    let (title, lines) = if !errors.is_empty() {
        (" Does not build ", build_lines(errors, theme))
    } else if let Some(row) = state.failures.selected_row() {
        (" Detail ", failure_lines(state, row, theme))
    } else {
        (" Detail ", empty_lines(state, theme))
    };
    let paragraph = Paragraph::new(lines)
        .block(panel(title, focused, theme))
        .wrap(Wrap { trim: false })
        .scroll((state.detail_scroll, 0));
    frame.render_widget(paragraph, area);
}

/// What the panel says with no failure to show.
fn empty_lines(state: &Dashboard, theme: &Theme) -> Vec<Line<'static>> {
    let text = if state.suite.is_none() {
        "no results yet — running the tests…"
    } else if state.failures.rows.is_empty() {
        return vec![
            Line::default(),
            Line::styled("  every test passes ✓", theme.good),
            Line::default(),
            Line::styled("  press s to record the attempt", theme.dim),
        ];
    } else {
        "no failure matches the filter or the search (Esc clears)"
    };
    vec![
        Line::default(),
        Line::styled(format!("  {text}"), theme.dim),
    ]
}

/// The compiler's errors, which are why every test counts as "did not build".
fn build_lines(errors: &[String], theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![
        Line::styled(
            "the code does not compile: every test of it counts as failed",
            theme.bad,
        ),
        Line::default(),
    ];
    for error in errors {
        for (index, text) in error.trim_end().lines().enumerate() {
            let style = if index == 0 { theme.bad } else { theme.text };
            lines.push(Line::styled(text.to_owned(), style));
        }
        lines.push(Line::default());
    }
    lines
}

fn failure_lines(state: &Dashboard, row: &FailureRow, theme: &Theme) -> Vec<Line<'static>> {
    let result = &row.result;
    let mut lines = vec![Line::styled(result.id.to_string(), theme.title)];
    let mut facts = vec![Span::styled(row.kind().label().to_owned(), theme.bad)];
    if let Some(duration) = result.duration {
        facts.push(Span::styled(
            format!(" after {:.2}s", duration.as_secs_f64()),
            theme.dim,
        ));
    }
    match state.live_outcome(&result.id) {
        Some(true) => facts.push(Span::styled(" — passes in the run going on", theme.good)),
        Some(false) => facts.push(Span::styled(" — failed again in this run", theme.bad)),
        None => {}
    }
    lines.push(Line::from(facts));
    if let Some(scenario) = state.scenario_of(&result.id) {
        let title = if scenario.title.starts_with("Scenario") {
            scenario.title.clone()
        } else {
            format!("Scenario {}: {}", scenario.key, scenario.title)
        };
        lines.push(Line::from(vec![
            Span::styled(title, theme.accent),
            Span::styled(" — press 2", theme.dim),
        ]));
    }

    let message: Vec<&str> = result
        .message
        .trim_end()
        .lines()
        .filter(|line| !line.starts_with("note: run with `RUST_BACKTRACE"))
        .collect();
    let sides = assert_sides(&message);
    // The first line repeats the test's name; only where it panicked is news.
    let (location, message) = match message.split_first() {
        Some((first, rest)) if panic_location(first).is_some() => (panic_location(first), rest),
        _ => (None, message.as_slice()),
    };
    if !message.is_empty() || location.is_some() {
        lines.push(Line::default());
        let mut heading = vec![Span::styled("panic", theme.heading)];
        if let Some(location) = location {
            heading.push(Span::styled(format!(" at {location}"), theme.dim));
        }
        lines.push(Line::from(heading));
        for line in message {
            if sides.is_some() && is_side_line(line) {
                continue;
            }
            lines.push(Line::raw((*line).to_owned()));
        }
    }
    if let Some((left, right)) = sides {
        lines.extend(diff::sides(left, right, theme));
    }
    let output = result.output.trim_end();
    if !output.is_empty() {
        lines.push(Line::default());
        lines.push(Line::styled("output", theme.heading));
        lines.extend(
            output
                .lines()
                .map(|line| Line::styled(line.to_owned(), theme.dim)),
        );
    }
    if let Some(hints) = state.hints.get(&result.id) {
        lines.push(Line::default());
        for hint in hints {
            lines.push(Line::from(vec![
                Span::styled(
                    format!("hint {}/{}: ", hint.level, hint.levels),
                    theme.accent,
                ),
                Span::raw(hint.text.clone()),
            ]));
        }
    } else {
        lines.push(Line::default());
        lines.push(Line::styled("h shows a hint for this test", theme.dim));
    }
    lines
}

/// `tests/unit.rs:7:9` of `thread 'x' (23301) panicked at tests/unit.rs:7:9:`.
fn panic_location(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("thread '")?;
    let (_, location) = rest.split_once(" panicked at ")?;
    Some(location.trim_end_matches(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_panic_line_gives_its_location_only() {
        let line = "thread 'money::rounds' (23301) panicked at tests/unit.rs:7:9:";
        assert_eq!(panic_location(line), Some("tests/unit.rs:7:9"));
        assert_eq!(panic_location("boom: value was 7"), None);
    }
}
