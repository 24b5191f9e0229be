//! `mediaflow init [DIR]`: generates a workspace from the embedded sources and says what
//! to do next. It prints no bug ids: those are the player's to find.

use std::io::Write;

use crate::args::InitArgs;
use crate::exit;
use crate::host::HostEnv;
use crate::workspace_gen::{self, GenerateError, InitOptions, Selection, Sources};

use super::Failure;

/// Runs `init`.
pub fn run(host: &HostEnv, args: &InitArgs) -> Result<u8, Failure> {
    let selection = match (&args.bugs, args.seed, args.count) {
        (Some(ids), _, _) => Selection::Ids(ids.iter().map(|id| id.trim().to_owned()).collect()),
        (None, Some(seed), Some(count)) => Selection::Seeded { seed, count },
        _ => Selection::All,
    };
    let options = InitOptions {
        selection,
        force: args.force,
        started_at: chrono::Utc::now(),
    };
    let sources = Sources::embedded().map_err(|error| failure(&error))?;
    let dir = host.current_dir.join(&args.dir);
    let report = workspace_gen::init(&sources, &dir, &options).map_err(|error| failure(&error))?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "created {} ({}, {} bug(s) planted, {} files, commit {:.7} \"{}\")",
        args.dir.display(),
        report.challenge,
        report.bug_count,
        report.file_count,
        report.commit,
        workspace_gen::START_COMMIT
    )?;
    writeln!(
        out,
        "next: cd {} && cargo nextest run   (rules and scoring: README.md)",
        args.dir.display()
    )?;
    Ok(exit::OK)
}

/// Every generation error is the user's input or environment: exit 2.
fn failure(error: &GenerateError) -> Failure {
    Failure::usage(error.to_string())
}
