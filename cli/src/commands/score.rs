//! `mediaflow score [--json]`: runs every category (or reuses this exact code's
//! results), scores it, records the attempt and prints the reward with every term.
//! Exit 0 when the reward is the maximum a full pass gives (every test passes and
//! nothing is tampered), 1 otherwise, 2 usage or environment.

use std::io::Write;

use chrono::Utc;

use crate::args::ScoreArgs;
use crate::exit;
use crate::play::attempts::{self, Attempt};

use super::Failure;
use super::context::Context;
use super::failures::{SuiteProgress, print_failures, print_table};
use super::output::{Style, Tone};
use super::test::open;

/// Runs `score`.
pub fn run(context: &Context<'_>, args: &ScoreArgs) -> Result<u8, Failure> {
    let (workspace, repo) = open(context)?;
    let mut progress =
        SuiteProgress::new(std::io::stderr().lock(), context.host.stderr_is_terminal);
    let scored = attempts::score(&workspace, &repo, Utc::now(), &mut |event| {
        progress.event(&event);
    });
    progress.finish();
    let scored = scored?;
    let attempt = &scored.attempt;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(
            out,
            "{:#}",
            serde_json::to_value(attempt).map_err(std::io::Error::other)?
        )?;
    } else {
        let style = Style::stdout(context.host);
        print_table(&mut out, &scored.suite, style)?;
        print_failures(&mut out, &scored.suite, style)?;
        writeln!(out)?;
        print_reward(&mut out, attempt, style)?;
    }
    let complete = scored.suite.all_passed() && attempt.tampered.is_empty();
    Ok(if complete {
        exit::OK
    } else {
        exit::TESTS_FAILED
    })
}

fn print_reward(out: &mut impl Write, attempt: &Attempt, style: Style) -> std::io::Result<()> {
    let reward = &attempt.reward;
    let total = format!("{:.3}", reward.total);
    writeln!(
        out,
        "attempt {} — reward {}",
        attempt.number,
        style.paint(
            if reward.total > 0.0 {
                Tone::Good
            } else {
                Tone::Bad
            },
            &total
        )
    )?;
    writeln!(
        out,
        "  tier {:.2} for a weighted pass rate of {:.3}",
        reward.tier, reward.weighted_pass_rate
    )?;
    let complete: Vec<&str> = attempt
        .categories
        .iter()
        .filter(|c| c.total > 0 && c.passed == c.total)
        .map(|c| c.name.as_str())
        .collect();
    writeln!(
        out,
        "  + {:.2} category bonus ({})",
        reward.category_bonus,
        if complete.is_empty() {
            "no category passes completely yet".to_owned()
        } else {
            format!("complete: {}", complete.join(", "))
        }
    )?;
    writeln!(
        out,
        "  + {:.2} chaos bonus (every chaos test passing)",
        reward.chaos_bonus
    )?;
    let (fixed, bonus_total) = attempt.bonus_bugs;
    writeln!(
        out,
        "  + {:.2} bonus bugs ({fixed} of {bonus_total} fixed)",
        reward.bonus_bugs
    )?;
    writeln!(
        out,
        "  + {:.2} efficiency (only at 100 %)",
        reward.efficiency
    )?;
    if attempt.regressions.is_empty() {
        writeln!(
            out,
            "  − {:.2} regressions (none since the previous attempt)",
            reward.penalty
        )?;
    } else {
        writeln!(
            out,
            "  − {} {} test(s) passed in attempt {} and fail now:",
            style.paint(Tone::Bad, &format!("{:.2}", reward.penalty)),
            attempt.regressions.len(),
            attempt.number - 1
        )?;
        for test in &attempt.regressions {
            writeln!(out, "      {test}")?;
        }
        if !attempt.changed_since_previous.is_empty() {
            writeln!(
                out,
                "    files changed since attempt {}:",
                attempt.number - 1
            )?;
            for file in &attempt.changed_since_previous {
                writeln!(out, "      {} ({:?})", file.path, file.change)?;
            }
        }
    }
    let families: Vec<String> = attempt
        .bugs_fixed
        .iter()
        .map(|f| format!("{} {}/{}", f.family, f.fixed, f.total))
        .collect();
    let (fixed, planted) = attempt.bugs_fixed_of_planted();
    writeln!(
        out,
        "bugs fixed: {fixed} of {planted} (by family: {})",
        families.join(", ")
    )?;
    writeln!(out, "hints used: {}", attempt.hints_used)?;
    if !attempt.tampered.is_empty() {
        writeln!(
            out,
            "{}",
            style.paint(
                Tone::Bad,
                "TAMPERED: protected files differ from the start, so this attempt scores 0:"
            )
        )?;
        for file in &attempt.tampered {
            writeln!(out, "  {} ({:?}; {})", file.path, file.change, file.rule)?;
        }
        writeln!(out, "`mediaflow restore` puts them back.")?;
    }
    Ok(())
}
