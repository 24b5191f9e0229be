//! `mediaflow challenge verify [--bug ID] [--json]`: progress on stderr as each phase
//! ends, then the table (bug × declared test × result, collateral, pass rate with all
//! bugs, timings) or the JSON report on stdout. Exit 1 when anything is not proved.

use std::collections::BTreeMap;
use std::io::Write;

use crate::args::VerifyArgs;
use crate::challenge::verify::{
    self, BugReport, DEFAULT_WORK_DIR, Declared, ReferenceReport, Timing, TogetherReport,
    VerifyEvent, VerifyOptions, VerifyReport,
};
use crate::exit;
use crate::runner::{FailureKind, Status, TestId};
use crate::workspace_gen::Sources;

use super::Failure;
use super::context::Context;
use super::output::{Style, Tone, duration};

/// How many collateral test names the table prints per bug (JSON has them all).
const COLLATERAL_SHOWN: usize = 3;

/// Runs `verify`.
pub fn run(context: &Context<'_>, args: &VerifyArgs) -> Result<u8, Failure> {
    let root = context.workspace.root();
    let sources =
        Sources::from_dir(root).map_err(|error| Failure::environment(error.to_string()))?;
    let options = VerifyOptions {
        work_dir: args.work_dir.as_ref().map_or_else(
            || root.join(DEFAULT_WORK_DIR),
            |dir| context.host.current_dir.join(dir),
        ),
        only: args.bug.clone(),
    };
    let err_style = Style::stderr(context.host);
    let mut progress = std::io::stderr().lock();
    let mut on_event = |event: VerifyEvent<'_>| {
        // Progress is best effort: a closed stderr must not stop the verification.
        let _ = print_event(&mut progress, &event, err_style);
    };
    let report =
        verify::verify(&sources, &options, &mut on_event).map_err(|error| match error {
            verify::VerifyError::UnknownBug(_) => Failure::usage(error.to_string()),
            other => Failure::environment(other.to_string()),
        })?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut json = serde_json::to_value(&report).map_err(std::io::Error::other)?;
        json["passed"] = report.passed().into();
        writeln!(out, "{json:#}")?;
    } else {
        print_report(&mut out, &report, Style::stdout(context.host))?;
    }
    Ok(if report.passed() {
        exit::OK
    } else {
        exit::CHECK_FAILED
    })
}

fn print_event(out: &mut impl Write, event: &VerifyEvent<'_>, style: Style) -> std::io::Result<()> {
    match event {
        VerifyEvent::Step { phase, step } => writeln!(out, "{phase}: {step}…"),
        VerifyEvent::Reference(report) => {
            writeln!(out, "reference: {}", reference_line(report, style))
        }
        VerifyEvent::Bug(report) => writeln!(out, "{}: {}", report.id, bug_line(report, style)),
        VerifyEvent::Together(report) => {
            writeln!(out, "together: {}", together_line(report, style))
        }
    }
}

fn timing(timing: Timing) -> String {
    format!(
        "built {}, ran {}",
        duration(timing.build),
        duration(timing.run)
    )
}

fn reference_line(report: &ReferenceReport, style: Style) -> String {
    let verdict = if !report.build_errors.is_empty() {
        style.paint(Tone::Bad, "does not compile")
    } else if report.tests == 0 {
        style.paint(Tone::Bad, "no tests ran")
    } else if report.failing.is_empty() {
        style.paint(Tone::Good, &format!("{} tests, all pass", report.tests))
    } else {
        style.paint(
            Tone::Bad,
            &format!("{} of {} tests FAIL", report.failing.len(), report.tests),
        )
    };
    format!("{verdict} ({})", timing(report.timing))
}

fn bug_line(report: &BugReport, style: Style) -> String {
    if let Some(problem) = &report.problem {
        let first = problem.lines().next().unwrap_or_default();
        return format!(
            "{} ({})",
            style.paint(Tone::Bad, first),
            timing(report.timing)
        );
    }
    let broken = report
        .declared
        .iter()
        .filter(|test| matches!(test.verdict, Declared::Breaks(_)))
        .count();
    let text = format!(
        "{broken}/{} declared tests fail, {} collateral",
        report.declared.len(),
        report.collateral.len()
    );
    let tone = if report.passed() {
        Tone::Good
    } else {
        Tone::Bad
    };
    format!("{} ({})", style.paint(tone, &text), timing(report.timing))
}

fn together_line(report: &TogetherReport, style: Style) -> String {
    if let Some(problem) = &report.problem {
        let first = problem.lines().next().unwrap_or_default();
        return style.paint(Tone::Bad, first);
    }
    format!(
        "{}/{} tests pass, weighted pass rate {:.3}, tier reward {:.2} ({})",
        report.passed,
        report.total,
        report.weighted_pass_rate,
        report.tier_reward,
        timing(report.timing)
    )
}

fn print_report(out: &mut impl Write, report: &VerifyReport, style: Style) -> std::io::Result<()> {
    writeln!(out, "challenge {} {}", report.challenge, report.version)?;
    writeln!(
        out,
        "reference: {}",
        reference_line(&report.reference, style)
    )?;
    for failing in &report.reference.failing {
        let kind = match failing.status {
            Status::Failed(kind) => kind.label(),
            _ => "failed",
        };
        writeln!(out, "  {} {}", style.paint(Tone::Bad, kind), failing.id)?;
    }
    for error in &report.reference.build_errors {
        writeln!(out, "{error}")?;
    }
    if !report.bugs.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{:<5} {:<9} {:>7}  {:<16} DECLARED TEST",
            "BUG", "SERVICE", "TIME", "RESULT"
        )?;
    }
    for bug in &report.bugs {
        print_bug(out, bug, style)?;
    }
    if let Some(together) = &report.together {
        writeln!(out)?;
        writeln!(
            out,
            "all {} bugs together: {}",
            together.bugs,
            together_line(together, style)
        )?;
        if together.problem.is_none() {
            let categories: Vec<String> = together
                .categories
                .iter()
                .map(|c| format!("{} {}/{}", c.name, c.passed, c.total))
                .collect();
            writeln!(out, "  {}", categories.join(", "))?;
            if !together.masked.is_empty() {
                writeln!(
                    out,
                    "  masked (every declared test passes with all bugs present): {}",
                    together.masked.join(", ")
                )?;
            }
        } else if let Some(problem) = &together.problem {
            writeln!(out, "{problem}")?;
        }
    }
    writeln!(out)?;
    print_timings(out, report)?;
    let verdict = if report.passed() {
        style.paint(Tone::Good, "verified")
    } else {
        style.paint(
            Tone::Bad,
            &format!("NOT verified: {}", problems(report).join("; ")),
        )
    };
    writeln!(out, "{verdict}")
}

fn print_bug(out: &mut impl Write, bug: &BugReport, style: Style) -> std::io::Result<()> {
    let time = duration(bug.timing.build + bug.timing.run);
    let mut lead = format!("{:<5} {:<9} {:>7}", bug.id, bug.service, time);
    let blank = " ".repeat(lead.len());
    if let Some(problem) = &bug.problem {
        writeln!(
            out,
            "{lead}  {}",
            style.paint(Tone::Bad, problem.lines().next().unwrap_or_default())
        )?;
        for line in problem.lines().skip(1) {
            writeln!(out, "{blank}  {line}")?;
        }
        return Ok(());
    }
    for test in &bug.declared {
        let (tone, word) = match test.verdict {
            Declared::Breaks(FailureKind::Failed) => (Tone::Good, "fails".to_owned()),
            Declared::Breaks(kind) => (Tone::Good, format!("fails ({})", kind.label())),
            Declared::StillPasses => (Tone::Bad, "STILL PASSES".to_owned()),
            Declared::NotATest => (Tone::Bad, "NO SUCH TEST".to_owned()),
        };
        let padded = format!("{word:<16}");
        writeln!(out, "{lead}  {} {}", style.paint(tone, &padded), test.test)?;
        lead.clone_from(&blank);
    }
    if !bug.collateral.is_empty() {
        writeln!(
            out,
            "{blank}  also broken: {}",
            collateral_summary(&bug.collateral)
        )?;
        for id in bug.collateral.iter().take(COLLATERAL_SHOWN) {
            writeln!(out, "{blank}    {id}")?;
        }
        if bug.collateral.len() > COLLATERAL_SHOWN {
            writeln!(
                out,
                "{blank}    … {} more (--json lists all)",
                bug.collateral.len() - COLLATERAL_SHOWN
            )?;
        }
    }
    Ok(())
}

/// `118 (integration 80, system 20, chaos 18)`: the count, then per binary, largest first.
fn collateral_summary(collateral: &[TestId]) -> String {
    let mut by_binary: BTreeMap<&str, usize> = BTreeMap::new();
    for id in collateral {
        *by_binary.entry(id.binary()).or_default() += 1;
    }
    let mut counts: Vec<(&str, usize)> = by_binary.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let parts: Vec<String> = counts.iter().map(|(b, n)| format!("{b} {n}")).collect();
    format!("{} ({})", collateral.len(), parts.join(", "))
}

fn print_timings(out: &mut impl Write, report: &VerifyReport) -> std::io::Result<()> {
    let reference = report.reference.timing;
    let mut line = format!(
        "time: reference {}",
        duration(reference.build + reference.run)
    );
    if !report.bugs.is_empty() {
        let per_bug: Vec<_> = report
            .bugs
            .iter()
            .map(|bug| (bug.timing.build + bug.timing.run, bug.id.as_str()))
            .collect();
        let sum: std::time::Duration = per_bug.iter().map(|(time, _)| *time).sum();
        let count = u32::try_from(per_bug.len()).unwrap_or(u32::MAX);
        let slowest = per_bug.iter().max_by_key(|(time, _)| *time);
        line.push_str(&format!(
            ", {} bug(s) {} (mean {}",
            per_bug.len(),
            duration(sum),
            duration(sum / count)
        ));
        if let Some((time, id)) = slowest {
            line.push_str(&format!(", slowest {id} {}", duration(*time)));
        }
        line.push(')');
    }
    if let Some(together) = &report.together {
        line.push_str(&format!(
            ", together {}",
            duration(together.timing.build + together.timing.run)
        ));
    }
    line.push_str(&format!("; total {}", duration(report.elapsed)));
    writeln!(out, "{line}")
}

/// One phrase per kind of problem, for the final line.
fn problems(report: &VerifyReport) -> Vec<String> {
    let mut problems = Vec::new();
    if !report.reference.passed() {
        problems.push("the reference does not pass".to_owned());
    }
    let ids = |keep: &dyn Fn(&BugReport) -> bool| -> Vec<&str> {
        report
            .bugs
            .iter()
            .filter(|b| keep(b))
            .map(|b| b.id.as_str())
            .collect()
    };
    let broken = ids(&|bug| bug.problem.is_some());
    if !broken.is_empty() {
        problems.push(format!("does not apply or compile: {}", broken.join(", ")));
    }
    let uncaught = ids(&|bug| {
        bug.problem.is_none()
            && bug
                .declared
                .iter()
                .any(|test| !matches!(test.verdict, Declared::Breaks(_)))
    });
    if !uncaught.is_empty() {
        problems.push(format!(
            "declared tests not failing: {}",
            uncaught.join(", ")
        ));
    }
    let undeclared = ids(&|bug| bug.declared.is_empty());
    if !undeclared.is_empty() {
        problems.push(format!("no declared tests: {}", undeclared.join(", ")));
    }
    if report
        .together
        .as_ref()
        .is_some_and(|t| t.problem.is_some())
    {
        problems.push("all bugs together do not apply or compile".to_owned());
    }
    problems
}
