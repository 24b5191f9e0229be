//! `mediaflow watch [--category C]…`: the dashboard's watch mode for a plain terminal.
//! Shows the results once, then re-runs whenever a file under `platform/` is saved —
//! the tests that failed first, then the rest of the categories — and prints what
//! flipped, the table and the tests still failing. Ctrl-C ends it.

use std::io::Write;
use std::sync::mpsc;

use crate::args::WatchArgs;
use crate::dashboard::model::flips;
use crate::dashboard::watch;
use crate::exit;
use crate::play::suite::{self, RunOptions, SuiteRun};
use crate::runner::TestId;

use super::Failure;
use super::context::Context;
use super::failures::{SuiteProgress, print_table};
use super::output::{Style, Tone};

/// Failing tests listed by name after each run (the dashboard or `test` show them all).
const FAILING_LISTED: usize = 15;

/// Runs `watch` until interrupted.
pub fn run(context: &Context<'_>, args: &WatchArgs) -> Result<u8, Failure> {
    let (workspace, repo) = super::test::open(context)?;
    let categories = workspace.select_categories(&args.categories)?;
    let style = Style::stdout(context.host);
    let live = context.host.stderr_is_terminal;
    let run_once = |options: &RunOptions| -> Result<SuiteRun, Failure> {
        let mut progress = SuiteProgress::new(std::io::stderr().lock(), live);
        let run = suite::run(&workspace, &repo, &categories, options, &mut |event| {
            progress.event(&event);
        });
        progress.finish();
        Ok(run?)
    };
    let infra = super::test::announced_infra(&workspace, args.infra)?;
    let mut last = run_once(&RunOptions::cached(infra.clone()))?;
    {
        let mut out = std::io::stdout().lock();
        print_table(&mut out, &last, style)?;
        print_failing(&mut out, &last, style)?;
    }
    let (sender, changes) = mpsc::channel();
    let _watch = watch::start(workspace.root(), move |paths| {
        let _ = sender.send(paths);
    })
    .map_err(|error| Failure::environment(error.to_string()))?;
    eprintln!("watching platform/ — save a file to re-run; Ctrl-C to stop");
    for paths in changes {
        let first: Vec<TestId> = last
            .categories
            .iter()
            .flat_map(|c| c.failures().map(|r| r.id.clone()))
            .collect();
        let mut out = std::io::stdout().lock();
        writeln!(out, "\nsaved: {}", paths.join(", "))?;
        let options = RunOptions {
            first,
            ..RunOptions::cached(infra.clone())
        };
        let run = match run_once(&options) {
            Ok(run) => run,
            Err(failure) => {
                writeln!(out, "{}", style.paint(Tone::Bad, &failure.message))?;
                continue;
            }
        };
        let flipped = flips(&last, &run);
        for id in &flipped.fixed {
            writeln!(out, "{} {id}", style.paint(Tone::Good, "now passes"))?;
        }
        for id in &flipped.broke {
            writeln!(out, "{} {id}", style.paint(Tone::Bad, "now fails "))?;
        }
        if flipped.is_empty() {
            writeln!(out, "no test changed")?;
        }
        print_table(&mut out, &run, style)?;
        print_failing(&mut out, &run, style)?;
        last = run;
    }
    Ok(exit::OK)
}

/// The compiler's first error, or the names of the tests still failing.
fn print_failing(out: &mut impl Write, run: &SuiteRun, style: Style) -> std::io::Result<()> {
    if let Some(error) = run.build_errors().first() {
        writeln!(
            out,
            "{}",
            style.paint(Tone::Bad, "the code does not compile:")
        )?;
        return writeln!(out, "{}", error.trim_end());
    }
    let failing: Vec<&TestId> = run
        .categories
        .iter()
        .flat_map(|c| c.failures().map(|r| &r.id))
        .collect();
    for id in failing.iter().take(FAILING_LISTED) {
        writeln!(out, "  {} {id}", style.paint(Tone::Bad, "✗"))?;
    }
    if failing.len() > FAILING_LISTED {
        writeln!(
            out,
            "  … and {} more (`mediaflow test` shows each failure)",
            failing.len() - FAILING_LISTED
        )?;
    }
    Ok(())
}
