//! `mediaflow challenge check [--json]`: the check report as a table or JSON; exit 1
//! when a patch does not apply or the catalog is invalid.

use std::io::Write;

use crate::args::CheckArgs;
use crate::challenge::authoring::{self, CheckReport};
use crate::challenge::{Challenge, GitReference};
use crate::exit;

use super::Failure;
use super::challenge::{challenge_dir, failure};
use super::context::Context;
use super::output::{Style, Tone};

/// Runs `check`.
pub fn run(context: &Context<'_>, args: &CheckArgs) -> Result<u8, Failure> {
    let reference = GitReference::open(context.workspace.root()).map_err(failure)?;
    let challenge = match Challenge::load(&challenge_dir(context, &args.challenge)) {
        Ok(challenge) => challenge,
        Err(error) => {
            return Err(Failure {
                code: exit::CHECK_FAILED,
                message: error.to_string(),
            });
        }
    };
    let report = authoring::check(&reference, &challenge).map_err(failure)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = serde_json::json!({
            "challenge": report.challenge,
            "passed": report.passed(),
            "bugs": report.bugs,
            "together": report.together,
        });
        writeln!(out, "{json:#}")?;
    } else {
        print_table(&mut out, &report, Style::stdout(context.host))?;
    }
    Ok(if report.passed() {
        exit::OK
    } else {
        exit::CHECK_FAILED
    })
}

fn print_table(out: &mut impl Write, report: &CheckReport, style: Style) -> std::io::Result<()> {
    writeln!(out, "challenge {}", report.challenge)?;
    if report.bugs.is_empty() {
        writeln!(out, "no bugs in the catalog")?;
    } else {
        writeln!(
            out,
            "{:<5} {:<10} {:<18} {:>5} {:>5}  {:<8} APPLIES",
            "BUG", "SERVICE", "PATCH", "FILES", "HUNKS", "CURRENT"
        )?;
    }
    for bug in &report.bugs {
        let applies = match &bug.error {
            None => style.paint(Tone::Good, "ok"),
            Some(error) => style.paint(Tone::Bad, error),
        };
        let current = match (&bug.error, bug.current) {
            (Some(_), _) => "-",
            (None, true) => "yes",
            (None, false) => "stale",
        };
        writeln!(
            out,
            "{:<5} {:<10} {:<18} {:>5} {:>5}  {:<8} {applies}",
            bug.id, bug.service, bug.patch, bug.files, bug.hunks, current
        )?;
    }
    match &report.together {
        None => writeln!(
            out,
            "all {} bug(s) apply together in catalog order: {}",
            report.bugs.len(),
            style.paint(Tone::Good, "ok")
        )?,
        Some(error) => writeln!(out, "together: {}", style.paint(Tone::Bad, error))?,
    }
    if report.stale().next().is_some() {
        writeln!(
            out,
            "stale patches still apply; `mediaflow challenge refresh` rewrites them against the reference"
        )?;
    }
    Ok(())
}
