//! `mediaflow challenge record | refresh | check | verify`: the author tools, printing what the
//! library's authoring operations did.

use std::io::Write;
use std::path::PathBuf;

use crate::args::{ChallengeArgs, ChallengeCommand, ChallengeDirArg, RecordArgs};
use crate::challenge::authoring::{self, DEFAULT_CHALLENGE_DIR, RefreshOutcome};
use crate::challenge::{AuthoringError, Challenge, GitReference};
use crate::exit;

use super::Failure;
use super::context::Context;

/// Runs the author tool `args` names.
pub fn run(context: &Context<'_>, args: &ChallengeArgs) -> Result<u8, Failure> {
    match &args.command {
        ChallengeCommand::Record(args) => record(context, args),
        ChallengeCommand::Refresh(args) => refresh(context, &args.challenge),
        ChallengeCommand::Check(args) => super::challenge_check::run(context, args),
        ChallengeCommand::Verify(args) => super::challenge_verify::run(context, args),
    }
}

/// The challenge folder: `--challenge` (relative to the current directory) or the default.
pub fn challenge_dir(context: &Context<'_>, arg: &ChallengeDirArg) -> PathBuf {
    match &arg.dir {
        Some(dir) => context.host.current_dir.join(dir),
        None => context.workspace.root().join(DEFAULT_CHALLENGE_DIR),
    }
}

/// The reference and the challenge, or a usage/environment failure.
pub fn open(
    context: &Context<'_>,
    arg: &ChallengeDirArg,
) -> Result<(GitReference, Challenge), Failure> {
    let reference = GitReference::open(context.workspace.root()).map_err(failure)?;
    let challenge = Challenge::load(&challenge_dir(context, arg)).map_err(failure)?;
    Ok((reference, challenge))
}

/// An authoring error as a usage/environment failure (exit 2).
pub fn failure(error: impl Into<AuthoringError>) -> Failure {
    Failure::environment(error.into().to_string())
}

fn record(context: &Context<'_>, args: &RecordArgs) -> Result<u8, Failure> {
    let (reference, challenge) = open(context, &args.challenge)?;
    let report = authoring::record(&reference, &challenge, &args.bug).map_err(failure)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{} bug {}: {} ({} file(s), {} hunk(s))",
        if report.replaced {
            "re-recorded"
        } else {
            "recorded"
        },
        report.bug,
        report.patch_path.display(),
        report.files.len(),
        report.hunks
    )?;
    for file in &report.files {
        writeln!(out, "  restored {file}")?;
    }
    writeln!(
        out,
        "the reference is correct again; `mediaflow challenge check` proves the patch applies"
    )?;
    Ok(exit::OK)
}

fn refresh(context: &Context<'_>, arg: &ChallengeDirArg) -> Result<u8, Failure> {
    let (reference, challenge) = open(context, arg)?;
    let report = authoring::refresh(&reference, &challenge).map_err(failure)?;
    let mut out = std::io::stdout().lock();
    let rewritten = report
        .bugs
        .iter()
        .filter(|(_, _, outcome)| *outcome == RefreshOutcome::Rewritten)
        .count();
    for (bug, path, outcome) in &report.bugs {
        let word = match outcome {
            RefreshOutcome::Unchanged => "current  ",
            RefreshOutcome::Rewritten => "rewritten",
        };
        writeln!(out, "{word} {bug:<4} {}", path.display())?;
    }
    writeln!(
        out,
        "{} patch(es): {rewritten} rewritten, {} already current",
        report.bugs.len(),
        report.bugs.len() - rewritten
    )?;
    Ok(exit::OK)
}
