//! Showing test results: the per-category table, and each failure with its name, how
//! it failed, its panic message and — for a failed `assert_eq` — `left` and `right` with
//! the differing characters coloured (`similar`). Shared by `test` and `score`.

use std::io::Write;

use similar::{ChangeTag, TextDiff};

use crate::play::suite::{CategoryRun, SuiteEvent, SuiteRun};
use crate::runner::{FailureKind, Status, TestResult, assert_sides, is_side_line};

use super::output::{Style, Tone, duration};

/// Lines of a failure message shown (the JSON output has all of it).
const MESSAGE_LINES: usize = 14;

/// Prints suite progress to stderr: which categories come from the cache or run,
/// cargo's build lines and, on a terminal, tests done so far (one line redrawn in
/// place; elsewhere only the build lines worth keeping).
#[derive(Debug)]
pub struct SuiteProgress<W: Write> {
    out: W,
    live: bool,
    drawn: bool,
    /// Tests expected, finished and failed in the run going on.
    tests: (usize, usize, usize),
}

impl<W: Write> SuiteProgress<W> {
    /// `live` redraws the build line in place (a terminal).
    pub fn new(out: W, live: bool) -> Self {
        Self {
            out,
            live,
            drawn: false,
            tests: (0, 0, 0),
        }
    }

    /// Shows one event; best effort (a closed stderr must not stop the run).
    pub fn event(&mut self, event: &SuiteEvent<'_>) {
        let _ = self.show(event);
    }

    /// Clears the redrawn line.
    pub fn finish(&mut self) {
        if self.drawn {
            let _ = write!(self.out, "\r\x1b[2K");
            let _ = self.out.flush();
            self.drawn = false;
        }
    }

    fn show(&mut self, event: &SuiteEvent<'_>) -> std::io::Result<()> {
        match event {
            SuiteEvent::Cached(names) => {
                self.finish();
                writeln!(
                    self.out,
                    "unchanged code, results reused: {}",
                    names.join(", ")
                )
            }
            SuiteEvent::Listing => {
                self.finish();
                writeln!(self.out, "listing the tests (builds the test binaries)…")
            }
            SuiteEvent::Running(expected) => {
                self.finish();
                let names: Vec<String> = expected
                    .iter()
                    .map(|(name, count)| format!("{name} ({count})"))
                    .collect();
                self.tests = (expected.iter().map(|(_, count)| count).sum(), 0, 0);
                writeln!(self.out, "building and running: {}", names.join(", "))
            }
            SuiteEvent::TestFinished { passed, .. } => {
                let (expected, done, failed) = &mut self.tests;
                *done += 1;
                *failed += usize::from(!passed);
                if !self.live {
                    return Ok(());
                }
                let line = format!("tests: {done}/{expected} run, {failed} failed");
                self.redraw(&line)
            }
            SuiteEvent::Output(line) => {
                let line = line.trim();
                if line.is_empty() {
                    return Ok(());
                }
                if self.live {
                    let shown: String = line.chars().take(100).collect();
                    self.redraw(&shown)
                } else if is_build_line(line) {
                    writeln!(self.out, "  {line}")
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Replaces the line drawn in place with `line`.
    fn redraw(&mut self, line: &str) -> std::io::Result<()> {
        write!(self.out, "\r\x1b[2K  {line}")?;
        self.drawn = true;
        self.out.flush()
    }
}

/// Cargo's status lines worth a log line.
fn is_build_line(line: &str) -> bool {
    ["Compiling", "Finished", "error", "warning: unused"]
        .iter()
        .any(|prefix| line.starts_with(prefix))
}

/// The per-category table and the weighted pass rate.
pub fn print_table(out: &mut impl Write, suite: &SuiteRun, style: Style) -> std::io::Result<()> {
    writeln!(
        out,
        "{:<13} {:>7} {:>6} {:>7}",
        "CATEGORY", "PASSED", "TOTAL", "WEIGHT"
    )?;
    for category in &suite.categories {
        let (passed, total) = (category.passed(), category.total());
        let tone = if passed == total {
            Tone::Good
        } else {
            Tone::Bad
        };
        let count = style.paint(tone, &format!("{passed:>7}"));
        writeln!(
            out,
            "{:<13} {count} {total:>6} {:>7.1}",
            category.name, category.weight
        )?;
    }
    let passed: usize = suite.categories.iter().map(CategoryRun::passed).sum();
    let total: usize = suite.categories.iter().map(CategoryRun::total).sum();
    writeln!(
        out,
        "weighted pass rate {:.3} ({passed}/{total} tests){}",
        suite.weighted_pass_rate(),
        if suite.from_cache {
            " — unchanged code, cached".to_owned()
        } else {
            format!(" in {}", duration(suite.elapsed))
        }
    )
}

/// The compiler's messages (once), then every failure.
pub fn print_failures(out: &mut impl Write, suite: &SuiteRun, style: Style) -> std::io::Result<()> {
    let errors = suite.build_errors();
    if !errors.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            style.paint(
                Tone::Bad,
                "the code does not compile; its tests count as failed:"
            )
        )?;
        for error in errors {
            writeln!(out, "{}", error.trim_end())?;
        }
        return Ok(());
    }
    for category in &suite.categories {
        for failure in category.failures() {
            writeln!(out)?;
            print_failure(out, failure, style)?;
        }
    }
    Ok(())
}

fn print_failure(out: &mut impl Write, failure: &TestResult, style: Style) -> std::io::Result<()> {
    let kind = match failure.status {
        Status::Failed(kind) => kind,
        _ => FailureKind::Failed,
    };
    writeln!(
        out,
        "{} {} ({})",
        style.paint(Tone::Bad, "FAIL"),
        failure.id,
        kind.label()
    )?;
    let message = failure.message.trim();
    let lines: Vec<&str> = message
        .lines()
        .filter(|line| !line.starts_with("note: run with `RUST_BACKTRACE"))
        .collect();
    let sides = assert_sides(&lines);
    for line in lines.iter().take(MESSAGE_LINES) {
        if sides.is_some() && is_side_line(line) {
            continue;
        }
        writeln!(out, "    {line}")?;
    }
    if lines.len() > MESSAGE_LINES {
        writeln!(
            out,
            "    … ({} more lines; --json has all)",
            lines.len() - MESSAGE_LINES
        )?;
    }
    if let Some((left, right)) = sides {
        print_sides(out, left, right, style)?;
    }
    Ok(())
}

/// Both sides, with what differs coloured: removed from `left` red, added in `right`
/// green. Without colour, the sides as they are.
fn print_sides(out: &mut impl Write, left: &str, right: &str, style: Style) -> std::io::Result<()> {
    if !style.color {
        writeln!(out, "     left: {left}")?;
        return writeln!(out, "    right: {right}");
    }
    let diff = TextDiff::from_chars(left, right);
    let (mut old, mut new) = (String::new(), String::new());
    for change in diff.iter_all_changes() {
        let text = change.value();
        match change.tag() {
            ChangeTag::Equal => {
                old.push_str(text);
                new.push_str(text);
            }
            ChangeTag::Delete => old.push_str(&format!("\x1b[1;31m{text}\x1b[0m")),
            ChangeTag::Insert => new.push_str(&format!("\x1b[1;32m{text}\x1b[0m")),
        }
    }
    writeln!(out, "     {}: {old}", style.paint(Tone::Bad, "left"))?;
    writeln!(out, "    {}: {new}", style.paint(Tone::Good, "right"))
}
