//! The reward screen's left half: the tier ladder with where the player stands and how
//! far the next tier is, then every term of the reward with the reason it has its
//! value (complete categories, chaos, bonus bugs, efficiency, regressions with the
//! files changed, the floor, tampering).

use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use crate::challenge::catalog::{EfficiencyBudget, PenaltyMode, Tier};
use crate::dashboard::model::{Assessment, Dashboard};
use crate::play::repo::Change;
use crate::runner::score::{self, CHAOS_CATEGORY};

use super::text::percent;
use super::theme::Theme;

/// Regressed tests listed by name before "… and N more".
const REGRESSIONS_LISTED: usize = 5;

/// The assessed weighted pass rate and the tier it reaches.
fn reached(state: &Dashboard) -> (Option<f64>, Option<&Tier>) {
    let rate = state
        .assessment
        .as_ref()
        .map(|a| a.attempt.reward.weighted_pass_rate);
    (
        rate,
        rate.and_then(|rate| score::tier(&state.reward_spec, rate)),
    )
}

/// The tier ladder in two lines (narrow screens): every bound on one, the reached one
/// marked with its reward, then where the player stands.
pub fn compact_ladder(state: &Dashboard, theme: &Theme) -> Vec<Line<'static>> {
    let (rate, reached) = reached(state);
    let mut spans = vec![Span::styled("Tiers ", theme.heading)];
    for tier in &state.reward_spec.tiers {
        if reached.is_some_and(|r| r.min_pass_rate == tier.min_pass_rate) {
            spans.push(Span::styled(
                format!(" [{:.0}% → {:.2}]", tier.min_pass_rate * 100.0, tier.reward),
                theme.accent.add_modifier(Modifier::BOLD),
            ));
        } else {
            spans.push(Span::styled(
                format!(" {:.0}%", tier.min_pass_rate * 100.0),
                theme.dim,
            ));
        }
    }
    let mut lines = vec![Line::from(spans)];
    if let (Some(rate), Some(tier)) = (rate, reached) {
        lines.push(standing(
            state,
            rate,
            tier.min_pass_rate,
            tier.reward,
            theme,
        ));
    }
    lines
}

/// `you: 92.0% · 8.0 points to 100% (+0.22)`.
fn standing(state: &Dashboard, rate: f64, bound: f64, reward: f64, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(
        format!("  you: {}", percent(rate)),
        theme.accent,
    )];
    let next = state
        .reward_spec
        .tiers
        .iter()
        .filter(|t| t.min_pass_rate > bound)
        .min_by(|a, b| a.min_pass_rate.total_cmp(&b.min_pass_rate));
    match next {
        Some(next) => spans.push(Span::styled(
            format!(
                " · {:.1} points to {:.0}% (+{:.2})",
                (next.min_pass_rate - rate) * 100.0,
                next.min_pass_rate * 100.0,
                next.reward - reward
            ),
            theme.dim,
        )),
        None => spans.push(Span::styled(" · the top tier", theme.good)),
    }
    Line::from(spans)
}

/// The tier ladder, highest first, the reached tier marked.
pub fn ladder(state: &Dashboard, theme: &Theme) -> Vec<Line<'static>> {
    let (rate, reached) = reached(state);
    let mut tiers = state.reward_spec.tiers.clone();
    tiers.sort_by(|a, b| b.min_pass_rate.total_cmp(&a.min_pass_rate));
    let mut lines = vec![Line::styled("Tiers", theme.heading)];
    for tier in &tiers {
        let bound = format!("{:>4.0}%", tier.min_pass_rate * 100.0);
        let here = reached.is_some_and(|r| r.min_pass_rate == tier.min_pass_rate);
        if !here {
            lines.push(Line::styled(
                format!("    {bound}  {:.2}", tier.reward),
                theme.dim,
            ));
            continue;
        }
        let rate = rate.unwrap_or_default();
        let mut spans = vec![Span::styled(
            format!("  ▶ {bound}  {:.2}", tier.reward),
            theme.accent.add_modifier(Modifier::BOLD),
        )];
        spans.extend(standing(state, rate, tier.min_pass_rate, tier.reward, theme).spans);
        lines.push(Line::from(spans));
    }
    lines
}

/// Every term of the assessed reward and its reason.
pub fn terms(state: &Dashboard, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = vec![Line::styled("Reward", theme.heading)];
    let Some(Assessment { attempt, .. }) = &state.assessment else {
        lines.push(Line::styled(
            "  no results yet: r runs the tests",
            theme.dim,
        ));
        return lines;
    };
    let spec = &state.reward_spec;
    let reward = &attempt.reward;
    let tier_reason = match score::tier(spec, reward.weighted_pass_rate) {
        Some(tier) => format!(
            "pass rate {} reaches the {:.0}% tier",
            percent(reward.weighted_pass_rate),
            tier.min_pass_rate * 100.0
        ),
        None => "no tier reached".to_owned(),
    };
    lines.push(term(
        theme,
        "tier",
        Some(reward.tier),
        &tier_reason,
        reward.tier > 0.0,
    ));
    let complete: Vec<&str> = attempt
        .categories
        .iter()
        .filter(|c| c.complete())
        .map(|c| c.name.as_str())
        .collect();
    let complete_reason = if complete.is_empty() {
        format!(
            "no category complete yet ({:.2} each)",
            spec.per_category_bonus
        )
    } else {
        format!(
            "{} complete ({:.2} each)",
            complete.join(", "),
            spec.per_category_bonus
        )
    };
    lines.push(term(
        theme,
        "category bonus",
        Some(reward.category_bonus),
        &complete_reason,
        reward.category_bonus > 0.0,
    ));
    let chaos_reason = match attempt.categories.iter().find(|c| c.name == CHAOS_CATEGORY) {
        Some(c) if c.complete() => "every chaos test passes".to_owned(),
        Some(c) => format!("chaos {}/{}: needs every chaos test", c.passed, c.total),
        None => "no chaos category".to_owned(),
    };
    lines.push(term(
        theme,
        "chaos bonus",
        Some(reward.chaos_bonus),
        &chaos_reason,
        reward.chaos_bonus > 0.0,
    ));
    let (fixed, total) = attempt.bonus_bugs;
    lines.push(term(
        theme,
        "bonus bugs",
        Some(reward.bonus_bugs),
        &format!(
            "{fixed} of {total} fixed (up to {:.2})",
            spec.bonus_bugs_max
        ),
        reward.bonus_bugs > 0.0,
    ));
    let budget = match spec.efficiency.budget {
        EfficiencyBudget::Attempts(n) => format!("attempt {} of {n}", attempt.number),
        EfficiencyBudget::Hours(h) => format!("budget {h} hours"),
    };
    let efficiency_reason = if reward.efficiency > 0.0 {
        budget
    } else {
        format!("only at 100% ({budget})")
    };
    lines.push(term(
        theme,
        "efficiency",
        Some(reward.efficiency),
        &efficiency_reason,
        reward.efficiency > 0.0,
    ));
    penalty(&mut lines, state, theme);
    let before_floor = reward.tier
        + reward.category_bonus
        + reward.chaos_bonus
        + reward.bonus_bugs
        + reward.efficiency
        - reward.penalty;
    if before_floor < 0.0 && !reward.tampered {
        lines.push(term(
            theme,
            "floor",
            None,
            "the total is never below 0",
            false,
        ));
    }
    if reward.tampered {
        lines.push(Line::styled(
            "  TAMPERED: protected files changed, the reward is 0 (`mediaflow restore`)",
            theme.bad,
        ));
        for file in &attempt.tampered {
            lines.push(Line::styled(
                format!(
                    "      {} {} (rule {})",
                    change(file.change),
                    file.path,
                    file.rule
                ),
                theme.bad,
            ));
        }
    }
    lines.push(Line::styled(format!("  {}", "─".repeat(22)), theme.dim));
    let total_style = if reward.tampered {
        theme.bad
    } else {
        theme.accent
    };
    lines.push(Line::from(vec![
        Span::raw(format!("  {:<15}", "total")),
        Span::styled(
            format!("{:>7.3}", reward.total),
            total_style.add_modifier(Modifier::BOLD),
        ),
    ]));
    lines
}

/// The regression penalty, the tests that regressed and the files changed since.
fn penalty(lines: &mut Vec<Line<'static>>, state: &Dashboard, theme: &Theme) {
    let Some(Assessment { attempt, .. }) = &state.assessment else {
        return;
    };
    let regressions = &attempt.regressions;
    if regressions.is_empty() {
        let reason = match attempt.number {
            1 => "nothing to regress from: this is the first attempt".to_owned(),
            n => format!("no test regressed since attempt {}", n - 1),
        };
        lines.push(term(theme, "penalty", Some(0.0), &reason, false));
        return;
    }
    let mode = match state.reward_spec.regression_penalty.mode {
        PenaltyMode::Flat => "flat",
        PenaltyMode::Proportional => "proportional",
    };
    let reason = format!(
        "{} regressed since attempt {} ({mode})",
        regressions.len(),
        attempt.number.saturating_sub(1)
    );
    lines.push(Line::from(vec![
        Span::raw(format!("  {:<15}", "penalty")),
        Span::styled(format!("{:>+7.3}", -attempt.reward.penalty), theme.bad),
        Span::styled(format!("  {reason}"), theme.dim),
    ]));
    for id in regressions.iter().take(REGRESSIONS_LISTED) {
        lines.push(Line::from(vec![
            Span::styled("      ✗ ", theme.bad),
            Span::raw(format!("{} {}", id.binary(), id.name)),
        ]));
    }
    if regressions.len() > REGRESSIONS_LISTED {
        lines.push(Line::styled(
            format!(
                "      … and {} more",
                regressions.len() - REGRESSIONS_LISTED
            ),
            theme.dim,
        ));
    }
    if !attempt.changed_since_previous.is_empty() {
        lines.push(Line::styled("      files changed since:", theme.dim));
        for file in &attempt.changed_since_previous {
            lines.push(Line::styled(
                format!("        {} {}", change(file.change), file.path),
                theme.warn,
            ));
        }
    }
}

fn change(change: Change) -> &'static str {
    match change {
        Change::Added => "added",
        Change::Modified => "modified",
        Change::Removed => "removed",
    }
}

/// `  label           +0.123  reason`; the value green when it adds to the reward.
fn term(
    theme: &Theme,
    label: &str,
    value: Option<f64>,
    reason: &str,
    earned: bool,
) -> Line<'static> {
    let value = value.map_or_else(|| " ".repeat(7), |v| format!("{v:>+7.3}"));
    let style = if earned { theme.good } else { theme.text };
    Line::from(vec![
        Span::raw(format!("  {label:<15}")),
        Span::styled(value, style),
        Span::styled(format!("  {reason}"), theme.dim),
    ])
}
