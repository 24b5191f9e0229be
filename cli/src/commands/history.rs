//! `mediaflow history [--json]` (one line per attempt) and `mediaflow diff [FROM] [TO]`
//! (what changed between two attempts, the start, or the files now), coloured.

use std::io::Write;

use git2::Oid;

use crate::args::{DiffArgs, HistoryArgs};
use crate::exit;
use crate::play::PlayerWorkspace;
use crate::play::attempts;
use crate::play::repo::WorkspaceRepo;

use super::Failure;
use super::context::Context;
use super::output::{Style, Tone};
use super::test::open;

/// Runs `history`.
pub fn run(context: &Context<'_>, args: &HistoryArgs) -> Result<u8, Failure> {
    let (workspace, _) = open(context)?;
    let attempts = attempts::history(&workspace)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = serde_json::json!({
            "schema_version": attempts::SCHEMA_VERSION,
            "attempts": attempts,
        });
        writeln!(out, "{json:#}")?;
        return Ok(exit::OK);
    }
    if attempts.is_empty() {
        writeln!(out, "no attempts yet; `mediaflow score` records one")?;
        return Ok(exit::OK);
    }
    let style = Style::stdout(context.host);
    writeln!(
        out,
        "{:>3}  {:<19}  {:>9}  {:>6}  {:>11}  {:>5}  NOTE",
        "#", "WHEN (UTC)", "PASS RATE", "REWARD", "REGRESSIONS", "FIXED"
    )?;
    for attempt in &attempts {
        let (fixed, planted) = attempt.bugs_fixed_of_planted();
        let note = if !attempt.tampered.is_empty() {
            style.paint(
                Tone::Bad,
                &format!("tampered ({} files)", attempt.tampered.len()),
            )
        } else if attempt.build_failed {
            style.paint(Tone::Bad, "did not compile")
        } else {
            String::new()
        };
        writeln!(
            out,
            "{:>3}  {:<19}  {:>9.3}  {:>6.3}  {:>11}  {:>5}  {note}",
            attempt.number,
            attempt.recorded_at.format("%Y-%m-%d %H:%M:%S"),
            attempt.reward.weighted_pass_rate,
            attempt.reward.total,
            attempt.regressions.len(),
            format!("{fixed}/{planted}"),
        )?;
    }
    Ok(exit::OK)
}

/// Runs `diff`.
pub fn diff(context: &Context<'_>, args: &DiffArgs) -> Result<u8, Failure> {
    let (workspace, repo) = open(context)?;
    let from = resolve(&workspace, &repo, args.from.as_deref().unwrap_or("start"))?
        .ok_or_else(|| Failure::usage("FROM cannot be `now`; use `start` or an attempt number"))?;
    let to = resolve(&workspace, &repo, args.to.as_deref().unwrap_or("now"))?;
    let text = repo.diff_text(from, to)?;
    let style = Style::stdout(context.host);
    let mut out = std::io::stdout().lock();
    if text.is_empty() {
        writeln!(out, "no differences")?;
    }
    for line in text.lines() {
        let tone =
            if line.starts_with("+++") || line.starts_with("---") || line.starts_with("diff ") {
                None
            } else if line.starts_with('+') {
                Some(Tone::Good)
            } else if line.starts_with('-') {
                Some(Tone::Bad)
            } else if line.starts_with("@@") {
                Some(Tone::Busy)
            } else {
                None
            };
        match tone {
            Some(tone) => writeln!(out, "{}", style.paint(tone, line))?,
            None => writeln!(out, "{line}")?,
        }
    }
    Ok(exit::OK)
}

/// `start`, `now` (None: the working tree) or an attempt number → a tree.
fn resolve(
    workspace: &PlayerWorkspace,
    repo: &WorkspaceRepo,
    spec: &str,
) -> Result<Option<Oid>, Failure> {
    match spec {
        "now" => Ok(None),
        "start" => {
            let start = repo.start_commit(workspace.state.start_commit.as_deref())?;
            Ok(Some(repo.commit_tree(start)?))
        }
        number => {
            let number: u32 = number.parse().map_err(|_| {
                Failure::usage(format!(
                    "`{number}` is not an attempt: use `start`, `now` or an attempt number (`mediaflow history` lists them)"
                ))
            })?;
            let commit = repo.attempt_commit(number)?.ok_or_else(|| {
                Failure::usage(format!(
                    "there is no attempt {number}; `mediaflow history` lists them"
                ))
            })?;
            Ok(Some(repo.commit_tree(commit)?))
        }
    }
}
