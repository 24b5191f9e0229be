//! `mediaflow hint TEST` (the next hint for the bugs behind a failing test) and
//! `mediaflow restore` (protected files back as they were at the start).

use std::io::Write;

use crate::args::HintArgs;
use crate::exit;
use crate::play::{hints, tamper};

use super::Failure;
use super::context::Context;
use super::test::open;

/// Runs `hint`.
pub fn run(context: &Context<'_>, args: &HintArgs) -> Result<u8, Failure> {
    let (workspace, _) = open(context)?;
    let shown = hints::next(&workspace, &args.test)?;
    let mut out = std::io::stdout().lock();
    if shown.is_empty() {
        writeln!(
            out,
            "no hint for `{}`: no planted bug is known to break that test. Check the name \
             (`mediaflow test` prints failing tests by full name); a test may also fail \
             because of a change of yours or because another failure comes first.",
            args.test
        )?;
        return Ok(exit::OK);
    }
    for (index, hint) in shown.iter().enumerate() {
        let who = if shown.len() > 1 {
            format!("bug {} of {} behind this test, ", index + 1, shown.len())
        } else {
            String::new()
        };
        let more = if hint.exhausted {
            " — no more hints"
        } else if hint.level == hint.levels {
            " — the last one"
        } else {
            ""
        };
        writeln!(
            out,
            "{who}hint {}/{}{more} ({}):\n  {}",
            hint.level, hint.levels, hint.test, hint.text
        )?;
    }
    writeln!(out, "hints used so far: {}", hints::used(&workspace)?)?;
    Ok(exit::OK)
}

/// Runs `restore`.
pub fn restore(context: &Context<'_>) -> Result<u8, Failure> {
    let (workspace, repo) = open(context)?;
    let start = repo.start_commit(workspace.state.start_commit.as_deref())?;
    let start_tree = repo.commit_tree(start)?;
    let report = tamper::restore(
        &repo,
        workspace.root(),
        start_tree,
        &workspace.catalog().protected,
    )?;
    let mut out = std::io::stdout().lock();
    for path in &report.restored {
        writeln!(out, "restored {path}")?;
    }
    for path in &report.removed {
        writeln!(out, "removed  {path} (added under a protected path)")?;
    }
    for file in &report.manual {
        writeln!(
            out,
            "edit by hand: {} has {}; remove that section",
            file.path, file.rule
        )?;
    }
    if report.restored.is_empty() && report.removed.is_empty() && report.manual.is_empty() {
        writeln!(
            out,
            "nothing to restore: every protected file is as it was at the start"
        )?;
    }
    Ok(if report.manual.is_empty() {
        exit::OK
    } else {
        exit::TESTS_FAILED
    })
}
