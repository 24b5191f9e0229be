//! The reward screen: whether the reward shown is a preview or a recorded attempt, the
//! tier ladder and every term with its reason (see [`super::reward_terms`]), a
//! sparkline of the reward across attempts, bugs fixed per family and the attempts.
//! Scrolls with `reward_scroll`.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Padding, Paragraph, Sparkline, Wrap};

use crate::dashboard::model::Dashboard;

use super::panel::panel;
use super::reward_terms;
use super::text::{bar, cells, percent};
use super::theme::Theme;

/// From this width the history sits beside the terms rather than below them.
const SIDE_BY_SIDE: u16 = 110;
/// Rows of the sparkline panel.
const SPARKLINE_HEIGHT: u16 = 6;
/// Attempts listed, newest first.
const ATTEMPTS_LISTED: usize = 12;

/// Draws the screen into `area`.
pub fn draw(frame: &mut Frame<'_>, area: Rect, state: &Dashboard, theme: &Theme) {
    let [status_area, body] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    frame.render_widget(status(state, theme), status_area);
    let wide = area.width >= SIDE_BY_SIDE;
    let mut terms = if wide {
        reward_terms::ladder(state, theme)
    } else {
        reward_terms::compact_ladder(state, theme)
    };
    terms.push(Line::default());
    terms.extend(reward_terms::terms(state, theme));
    let history = history_lines(state, theme);
    if wide {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Fill(1)]).areas(body);
        let [spark, rest] =
            Layout::vertical([Constraint::Length(SPARKLINE_HEIGHT), Constraint::Fill(1)])
                .areas(right);
        scrolled(frame, left, terms, " Reward ", state, theme);
        sparkline(frame, spark, state, theme);
        scrolled(
            frame,
            rest,
            history,
            " Bugs fixed · attempts ",
            state,
            theme,
        );
    } else {
        let [spark, rest] = Layout::vertical([
            Constraint::Length(SPARKLINE_HEIGHT - 1),
            Constraint::Fill(1),
        ])
        .areas(body);
        sparkline(frame, spark, state, theme);
        terms.push(Line::default());
        terms.extend(history);
        scrolled(frame, rest, terms, " Reward ", state, theme);
    }
}

/// `preview — press s to record` or `attempt 7, recorded 2026-11-03 16:20 UTC`.
fn status(state: &Dashboard, theme: &Theme) -> Line<'static> {
    match &state.assessment {
        Some(a) if a.recorded => Line::from(vec![
            Span::styled(format!(" attempt {}", a.attempt.number), theme.good),
            Span::styled(
                format!(
                    ", recorded {}",
                    a.attempt.recorded_at.format("%Y-%m-%d %H:%M UTC")
                ),
                theme.dim,
            ),
        ]),
        Some(_) => Line::from(vec![
            Span::styled(" preview", theme.warn),
            Span::styled(
                format!(
                    " of the latest results — press s to record attempt {}",
                    state.next_attempt()
                ),
                theme.dim,
            ),
        ]),
        None => Line::styled(
            " no results yet — r runs the tests, s scores an attempt",
            theme.dim,
        ),
    }
}

/// `lines` in a panel, scrolled by `reward_scroll` but never past the last screenful.
fn scrolled(
    frame: &mut Frame<'_>,
    area: Rect,
    lines: Vec<Line<'static>>,
    title: &'static str,
    state: &Dashboard,
    theme: &Theme,
) {
    let block = panel(title, false, theme).padding(Padding::horizontal(1));
    let height = usize::from(block.inner(area).height);
    let last = lines.len().saturating_sub(height);
    let scroll = usize::from(state.reward_scroll).min(last);
    let paragraph = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0));
    frame.render_widget(paragraph, area);
}

fn sparkline(frame: &mut Frame<'_>, area: Rect, state: &Dashboard, theme: &Theme) {
    let history = state.reward_history();
    let mut block = panel(" Reward per attempt (×1000) ", false, theme);
    if history.is_empty() {
        let text = Line::styled(" no attempt recorded yet: s scores one", theme.dim);
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    }
    let data: Vec<u64> = history
        .iter()
        .map(|r| (r * 1000.0).round().max(0.0) as u64)
        .collect();
    let (low, high) = history
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), &r| (lo.min(r), hi.max(r)));
    block = block.title_bottom(
        Line::styled(
            format!(
                " {} attempts · low {low:.3} · high {high:.3} · latest {:.3} ",
                history.len(),
                history.last().copied().unwrap_or_default()
            ),
            theme.dim,
        )
        .right_aligned(),
    );
    // The scale starts at 0 and reaches at least a full reward, so a flat line of
    // small rewards does not look like a full bar.
    let max = data.iter().copied().max().unwrap_or(0).max(1000);
    let sparkline = Sparkline::default()
        .block(block)
        .data(&data)
        .max(max)
        .style(theme.accent);
    frame.render_widget(sparkline, area);
}

/// Bugs fixed per family, then the attempts, newest first.
fn history_lines(state: &Dashboard, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if let Some(assessment) = &state.assessment {
        let (fixed, planted) = assessment.attempt.bugs_fixed_of_planted();
        lines.push(Line::from(vec![
            Span::styled("Bugs fixed ", theme.heading),
            Span::styled(format!("{fixed} of {planted}"), theme.text),
        ]));
        for family in &assessment.attempt.bugs_fixed {
            let (full, empty) = bar(
                cells(family.fixed, family.total, family.total.min(10)),
                family.total.min(10),
            );
            let style = if family.fixed == family.total {
                theme.good
            } else {
                theme.text
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<3}", family.family), style),
                Span::styled(format!("{:>2}/{:<2} ", family.fixed, family.total), style),
                Span::styled(full, theme.good),
                Span::styled(empty, theme.dim),
            ]));
        }
        lines.push(Line::default());
    }
    lines.push(Line::styled("Attempts", theme.heading));
    lines.push(Line::styled(
        format!("  {:<4}{:<11}  {:>6}   {}", "#", "when", "pass", "reward"),
        theme.dim,
    ));
    if state.attempts.is_empty() {
        lines.push(Line::styled("  none yet", theme.dim));
    }
    for attempt in state.attempts.iter().rev().take(ATTEMPTS_LISTED) {
        let mut spans = vec![
            Span::raw(format!("  #{:<3}", attempt.number)),
            Span::styled(
                attempt.recorded_at.format("%m-%d %H:%M").to_string(),
                theme.dim,
            ),
            Span::raw(format!(
                "  {:>6}",
                percent(attempt.reward.weighted_pass_rate)
            )),
            Span::styled(format!("   {:.3}", attempt.reward.total), theme.accent),
        ];
        if !attempt.regressions.is_empty() {
            spans.push(Span::styled(
                format!("  ✗{}", attempt.regressions.len()),
                theme.bad,
            ));
        }
        if !attempt.tampered.is_empty() {
            spans.push(Span::styled("  TAMPERED", theme.bad));
        }
        lines.push(Line::from(spans));
    }
    if state.attempts.len() > ATTEMPTS_LISTED {
        lines.push(Line::styled(
            format!("  … {} older", state.attempts.len() - ATTEMPTS_LISTED),
            theme.dim,
        ));
    }
    lines
}
