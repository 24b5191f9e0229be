//! The header: what the challenge is, where the player stands (attempt, time, reward,
//! tier), where the tests run, the run going on, and the screens' tabs.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};

use crate::dashboard::model::{Dashboard, RunKind, RunProgress, Screen, Stage};

use super::text::{elapsed, spinner, trim_right};
use super::theme::Theme;

/// Rows the header takes.
pub const HEIGHT: u16 = 2;

/// Draws the header into `area` (two rows): the standing on the first; the tabs, the
/// run going on and where the tests run on the second.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &Dashboard, theme: &Theme) {
    let [top, bottom] = Layout::vertical([Constraint::Length(1); 2]).areas(area);
    frame.render_widget(standing(state, theme), top);

    let tabs = tabs(state, theme);
    let mut right = status_right(state, theme);
    if let Some(run) = &state.run {
        let room = usize::from(bottom.width).saturating_sub(tabs.width() + right.width() + 1);
        let mut spans = run_line(state, run, theme, room).spans;
        spans.append(&mut right.spans);
        right = Line::from(spans);
    }
    let right_width = u16::try_from(right.width()).unwrap_or(u16::MAX);
    let [tab_area, right_area] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(right_width)]).areas(bottom);
    frame.render_widget(tabs, tab_area);
    frame.render_widget(right, right_area);
}

/// Title, attempt, elapsed time, reward and tier.
fn standing<'a>(state: &'a Dashboard, theme: &Theme) -> Line<'a> {
    let separator = || Span::styled(" │ ", theme.dim);
    // The catalog's title is a sentence; its part before the first comma names it.
    let name = state.title.split(',').next().unwrap_or(&state.title);
    let mut spans = vec![
        Span::styled(format!("{name} "), theme.title),
        Span::styled(state.version.as_str(), theme.dim),
        separator(),
    ];
    match state.attempts.last() {
        Some(last) => spans.push(Span::raw(format!("attempt {}", last.number))),
        None => spans.push(Span::styled("attempt —", theme.dim)),
    }
    spans.push(Span::styled(
        format!(" (next {})", state.next_attempt()),
        theme.dim,
    ));
    spans.push(separator());
    spans.push(Span::raw(elapsed(state.started_at, state.now)));
    spans.push(separator());
    match &state.assessment {
        Some(assessment) => {
            let reward = &assessment.attempt.reward;
            let style = if reward.tampered {
                theme.bad
            } else {
                theme.accent
            };
            spans.push(Span::styled(format!("reward {:.3}", reward.total), style));
            spans.push(Span::styled(
                format!(" (tier {:.2})", reward.tier),
                theme.dim,
            ));
            let whose = if assessment.recorded {
                Span::styled(format!(" attempt {}", assessment.attempt.number), theme.dim)
            } else {
                Span::styled(" preview", theme.warn)
            };
            spans.push(whose);
        }
        None => spans.push(Span::styled("reward —", theme.dim)),
    }
    Line::from(spans)
}

/// Watch mode and the infrastructure, right-aligned on the second row.
fn status_right<'a>(state: &'a Dashboard, theme: &Theme) -> Line<'a> {
    let mut spans = vec![Span::styled("│ ", theme.dim)];
    if state.watching {
        spans.push(Span::styled("[watching] ", theme.good));
    }
    spans.push(Span::styled(state.infra.0.as_str(), theme.dim));
    spans.push(Span::raw(" "));
    Line::from(spans)
}

/// The tabs, the active one highlighted.
fn tabs(state: &Dashboard, theme: &Theme) -> Line<'static> {
    let tabs = [
        (Screen::Tests, " 1 Tests "),
        (Screen::Scenarios, " 2 Scenarios "),
        (Screen::Reward, " 3 Reward "),
    ];
    let mut spans = vec![Span::raw(" ")];
    for (screen, label) in tabs {
        let style = if state.screen == screen {
            theme.tab_active
        } else {
            theme.dim
        };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
    }
    Line::from(spans)
}

/// The run going on: spinner, stage and what was asked, within `width` columns.
fn run_line(state: &Dashboard, run: &RunProgress, theme: &Theme, width: usize) -> Line<'static> {
    let what = match &run.request.kind {
        RunKind::All => "all".to_owned(),
        RunKind::Category(name) => name.clone(),
        RunKind::Watch(paths) => match paths.as_slice() {
            [one] => format!("saved {one}"),
            [first, rest @ ..] => format!("saved {first} +{}", rest.len()),
            [] => "watch".to_owned(),
        },
        RunKind::Score => "scoring".to_owned(),
    };
    let stage = match &run.stage {
        Stage::Starting => "starting".to_owned(),
        Stage::Listing => "listing tests".to_owned(),
        Stage::Building(line) => format!("building: {}", line.trim()),
        Stage::Testing => {
            let done: usize = run.categories.iter().map(|c| c.done).sum();
            let expected: usize = run.categories.iter().map(|c| c.expected).sum();
            if expected > 0 {
                format!("testing {done}/{expected}")
            } else {
                format!("testing {done}")
            }
        }
    };
    // The stage (a cargo line can be long) gives way first; the spinner and what stay.
    let fixed = 2 + what.chars().count() + 3 + 1;
    let stage = trim_right(&stage, width.saturating_sub(fixed)).into_owned();
    Line::from(vec![
        Span::styled(format!("{} ", spinner(state.now)), theme.accent),
        Span::raw(stage),
        Span::styled(" · ", theme.dim),
        Span::styled(what, theme.accent),
        Span::raw(" "),
    ])
}
