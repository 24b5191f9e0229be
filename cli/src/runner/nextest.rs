//! Building and running the challenge's test binaries with cargo-nextest, under the
//! runner's profile, in any workspace and with any target directory.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nextest_metadata::{FilterMatch, MismatchReason, TestListSummary};
use serde::Deserialize;

use super::cancel::CancelToken;
use super::junit::{self, JunitError};
use super::outcome::{Results, TESTS_PACKAGE, TestId};
use super::profile::{PROFILE, RunnerProfile, TOOL};

/// nextest's exit codes this module tells apart (nextest-metadata's `NextestExitCode`).
mod code {
    pub const OK: i32 = 0;
    pub const NO_TESTS_RUN: i32 = 4;
    pub const TEST_RUN_FAILED: i32 = 100;
    pub const BUILD_FAILED: i32 = 101;
}

/// How many lines of a tool's stderr an error keeps.
const STDERR_TAIL: usize = 30;

/// Why a build or run could not even produce results.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// `cargo` is not on `PATH`.
    #[error("cannot run `cargo` ({0}); install Rust with rustup and make sure `cargo` is on PATH")]
    CargoMissing(std::io::Error),
    /// The nextest subcommand is not installed.
    #[error(
        "cargo-nextest is not installed; install it with `cargo install cargo-nextest --locked`"
    )]
    NextestMissing,
    /// Writing the runner's profile or reading its report failed.
    #[error("{what} {}: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The report is unreadable.
    #[error("{} ({})", source, path.display())]
    Report {
        /// The report file.
        path: PathBuf,
        /// The parse error.
        source: JunitError,
    },
    /// The run was cancelled ([`CancelToken::cancel`]) before it finished.
    #[error("the run was stopped before it finished")]
    Cancelled,
    /// nextest stopped with a code that leaves no results.
    #[error("cargo nextest {step} exited with {code}:\n{stderr}")]
    Nextest {
        /// `build` or `run`.
        step: &'static str,
        /// The exit code (or -1 for a signal).
        code: i32,
        /// The end of its stderr.
        stderr: String,
    },
}

/// The outcome of compiling the test binaries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildReport {
    /// Whether every binary compiled.
    pub success: bool,
    /// The compiler's rendered error messages (empty on success; on a failure without
    /// compiler messages, the end of cargo's stderr).
    pub errors: Vec<String>,
    /// Wall time.
    pub elapsed: Duration,
}

/// The outcome of running the tests.
#[derive(Debug, Clone)]
pub struct RunReport {
    /// Every reported test.
    pub results: Results,
    /// Wall time (including any build the run needed).
    pub elapsed: Duration,
}

/// A run either ran the tests or stopped because they did not compile.
#[derive(Debug, Clone)]
pub enum RunOutcome {
    /// The binaries were built and the tests ran.
    Ran(RunReport),
    /// The build failed; nothing ran.
    BuildFailed(BuildReport),
}

/// One test of the universe `cargo nextest list` reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListedTest {
    /// Binary id (`mediaflow-tests::unit`).
    pub binary_id: String,
    /// The test's path in the binary.
    pub name: String,
    /// `#[ignore]`d: never run, never counted.
    pub ignored: bool,
}

/// What a build or run reports while it goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextestEvent<'a> {
    /// A line of cargo's or nextest's stderr (build progress, nextest's summary).
    Output(&'a str),
    /// A test finished (streamed by nextest as it happens).
    TestFinished {
        /// The test.
        id: TestId,
        /// Whether it passed.
        passed: bool,
    },
}

/// The challenge's test binaries of one workspace.
#[derive(Debug, Clone)]
pub struct Nextest {
    workspace: PathBuf,
    target_dir: Option<PathBuf>,
    profile: RunnerProfile,
    profile_path: PathBuf,
    cancel: Option<CancelToken>,
    /// Variables set (`Some`) or removed (`None`) for the tests.
    env: Vec<(String, Option<String>)>,
    /// A filterset every list and run is limited to.
    scope: Option<String>,
}

impl Nextest {
    /// Runs the tests of the workspace at `workspace`, building into `target_dir` (else
    /// cargo's own choice: `CARGO_TARGET_DIR` or `target/`); the profile and the JUnit
    /// report live in `state_dir`.
    pub fn new(workspace: &Path, target_dir: Option<&Path>, state_dir: &Path) -> Self {
        Self {
            workspace: workspace.to_owned(),
            target_dir: target_dir.map(Path::to_owned),
            profile: RunnerProfile::new(state_dir.join("junit.xml")),
            profile_path: state_dir.join("nextest-runner.toml"),
            cancel: None,
            env: Vec::new(),
            scope: None,
        }
    }

    /// Limits every list and run to the tests `scope` (a nextest filterset) selects:
    /// the others are neither run nor listed.
    #[must_use]
    pub fn with_scope(mut self, scope: Option<String>) -> Self {
        self.scope = scope;
        self
    }

    /// The scope, if any.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// `filter` within the scope.
    fn scoped(&self, filter: Option<&str>) -> Option<String> {
        match (&self.scope, filter) {
            (Some(scope), Some(filter)) => Some(format!("({scope}) & ({filter})")),
            (Some(scope), None) => Some(scope.clone()),
            (None, filter) => filter.map(str::to_owned),
        }
    }

    /// Sets (`Some`) or removes (`None`) environment variables of the test process,
    /// after the runner's own (so these win).
    #[must_use]
    pub fn with_env(mut self, env: Vec<(String, Option<String>)>) -> Self {
        self.env = env;
        self
    }

    /// Makes builds and runs stoppable with `token`: its process tree then gets a
    /// process group of its own (so Ctrl-C typed in a terminal no longer reaches it;
    /// the owner of the token is the one to stop it).
    #[must_use]
    pub fn with_cancel(mut self, token: CancelToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Compiles `binaries` (test binaries of the tests package), collecting the
    /// compiler's error messages.
    pub fn build(&self, binaries: &[String]) -> Result<BuildReport, RunError> {
        let started = Instant::now();
        let output = self.execute(
            "run",
            binaries,
            &["--no-run", "--cargo-message-format", "json"],
            &mut |_| {},
        )?;
        match output.code {
            code::OK => Ok(BuildReport {
                success: true,
                errors: Vec::new(),
                elapsed: started.elapsed(),
            }),
            code::BUILD_FAILED => Ok(build_failure(&output, started.elapsed())),
            code => Err(nextest_error("build", code, &output)),
        }
    }

    /// Builds what is not current and runs `binaries`' tests (or those `filter`, a
    /// nextest filterset, selects); cargo's and nextest's stderr lines and each test's
    /// end go to `progress` as they come.
    pub fn run(
        &self,
        binaries: &[String],
        filter: Option<&str>,
        progress: &mut dyn FnMut(NextestEvent<'_>),
    ) -> Result<RunOutcome, RunError> {
        let started = Instant::now();
        let junit_path = &self.profile.junit_path;
        match std::fs::remove_file(junit_path) {
            Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                return Err(RunError::Io {
                    what: "cannot remove the previous report",
                    path: junit_path.clone(),
                    source: error,
                });
            }
            _ => {}
        }
        let mut args = vec![
            "--no-fail-fast",
            "--cargo-message-format",
            "json",
            "--message-format",
            "libtest-json-plus",
        ];
        let filter = self.scoped(filter);
        if let Some(filter) = &filter {
            args.extend(["-E", filter]);
        }
        let output = self.execute("run", binaries, &args, progress)?;
        match output.code {
            code::OK | code::TEST_RUN_FAILED => {}
            code::NO_TESTS_RUN => {
                return Ok(RunOutcome::Ran(RunReport {
                    results: Results::default(),
                    elapsed: started.elapsed(),
                }));
            }
            code::BUILD_FAILED => {
                return Ok(RunOutcome::BuildFailed(build_failure(
                    &output,
                    started.elapsed(),
                )));
            }
            code => return Err(nextest_error("run", code, &output)),
        }
        let xml = std::fs::read_to_string(junit_path).map_err(|source| RunError::Io {
            what: "cannot read the test report",
            path: junit_path.clone(),
            source,
        })?;
        let results = junit::parse(&xml).map_err(|source| RunError::Report {
            path: junit_path.clone(),
            source,
        })?;
        Ok(RunOutcome::Ran(RunReport {
            results: Results::from_results(results),
            elapsed: started.elapsed(),
        }))
    }

    /// The tests of `binaries` as `cargo nextest list` reports them (building first);
    /// `Ok(Err(build))` when they do not compile.
    pub fn list(
        &self,
        binaries: &[String],
    ) -> Result<Result<Vec<ListedTest>, BuildReport>, RunError> {
        let started = Instant::now();
        let mut args = vec!["--message-format", "json", "--cargo-message-format", "json"];
        let scope = self.scoped(None);
        if let Some(scope) = &scope {
            args.extend(["-E", scope]);
        }
        let output = self.execute("list", binaries, &args, &mut |_| {})?;
        match output.code {
            code::OK => {}
            code::BUILD_FAILED => return Ok(Err(build_failure(&output, started.elapsed()))),
            code => return Err(nextest_error("list", code, &output)),
        }
        // Cargo's JSON lines come first; the test list is the last line.
        let last = output
            .stdout
            .lines()
            .rev()
            .find(|line| !line.trim().is_empty());
        let summary = last
            .and_then(|line| TestListSummary::parse_json(line).ok())
            .ok_or_else(|| RunError::Nextest {
                step: "list",
                code: output.code,
                stderr: "its output holds no test list".to_owned(),
            })?;
        let mut tests = Vec::with_capacity(summary.test_count);
        for (binary_id, suite) in &summary.rust_suites {
            for (name, case) in &suite.test_cases {
                // Outside the scope: not part of this universe at all.
                if case.filter_match
                    == (FilterMatch::Mismatch {
                        reason: MismatchReason::Expression,
                    })
                {
                    continue;
                }
                tests.push(ListedTest {
                    binary_id: binary_id.to_string(),
                    name: name.to_string(),
                    ignored: case.ignored,
                });
            }
        }
        Ok(Ok(tests))
    }

    /// `cargo nextest SUBCOMMAND` with the runner's profile, the package's `binaries`
    /// and `extra`; stderr lines and streamed test events go to `progress` as they come.
    fn execute(
        &self,
        subcommand: &str,
        binaries: &[String],
        extra: &[&str],
        progress: &mut dyn FnMut(NextestEvent<'_>),
    ) -> Result<Captured, RunError> {
        self.profile
            .write(&self.profile_path)
            .map_err(|source| RunError::Io {
                what: "cannot write the runner's nextest profile",
                path: self.profile_path.clone(),
                source,
            })?;
        let tool_config = format!("{TOOL}:{}", self.profile_path.display());
        let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        command
            .current_dir(&self.workspace)
            .args(["nextest", subcommand, "--tool-config-file", &tool_config])
            .args(["--profile", PROFILE, "--package", TESTS_PACKAGE])
            .args(["--color", "never"]);
        if subcommand == "run" {
            command.args(["--show-progress", "none", "--no-input-handler"]);
        }
        for binary in binaries {
            command.args(["--test", binary]);
        }
        command
            .args(extra)
            .env("CARGO_TERM_COLOR", "never")
            .env("CARGO_TERM_PROGRESS_WHEN", "never")
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(target_dir) = &self.target_dir {
            command.env("CARGO_TARGET_DIR", target_dir);
        }
        // A run started from inside another nextest run must not inherit its settings.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("NEXTEST_") {
                command.env_remove(name);
            }
        }
        // Streams one JSON line per test event on stdout (`--message-format
        // libtest-json-plus`), still an experimental feature of nextest.
        command.env("NEXTEST_EXPERIMENTAL_LIBTEST_JSON", "1");
        for (name, value) in &self.env {
            match value {
                Some(value) => command.env(name, value),
                None => command.env_remove(name),
            };
        }
        if self.cancel.is_some() {
            command.process_group(0);
        }
        let mut child = command.spawn().map_err(RunError::CargoMissing)?;
        let _registered = self.cancel.as_ref().map(|token| token.register(child.id()));
        let (lines, received) = mpsc::channel();
        let readers = [
            child
                .stdout
                .take()
                .map(|pipe| forward_lines(pipe, Stream::Stdout, lines.clone())),
            child
                .stderr
                .take()
                .map(|pipe| forward_lines(pipe, Stream::Stderr, lines)),
        ];
        let (mut stdout, mut stderr) = (String::new(), String::new());
        for (stream, line) in received {
            match stream {
                Stream::Stdout => {
                    if let Some((id, passed)) = test_event(&line) {
                        progress(NextestEvent::TestFinished { id, passed });
                    } else {
                        stdout.push_str(&line);
                        stdout.push('\n');
                    }
                }
                Stream::Stderr => {
                    progress(NextestEvent::Output(&line));
                    stderr.push_str(&line);
                    stderr.push('\n');
                }
            }
        }
        for reader in readers.into_iter().flatten() {
            let _ = reader.join();
        }
        let status = child.wait().map_err(RunError::CargoMissing)?;
        if self.cancel.as_ref().is_some_and(CancelToken::is_cancelled) {
            return Err(RunError::Cancelled);
        }
        if !status.success() && stderr.contains("no such command: `nextest`") {
            return Err(RunError::NextestMissing);
        }
        Ok(Captured {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr,
        })
    }
}

/// Which pipe a line came from.
#[derive(Debug, Clone, Copy)]
enum Stream {
    Stdout,
    Stderr,
}

/// Sends every line of `pipe` to `lines` from a thread of its own.
fn forward_lines(
    pipe: impl std::io::Read + Send + 'static,
    stream: Stream,
    lines: mpsc::Sender<(Stream, String)>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if lines.send((stream, line)).is_err() {
                break;
            }
        }
    })
}

/// A finished test in nextest's libtest-json-plus stream: `{"type":"test","event":
/// "ok"|"failed"|..., "name":"<crate>::<binary>$<test>"}`. `started` lines and suite
/// lines are not test ends; retries (`#N` suffixes) do not happen under the runner's
/// profile.
fn test_event(line: &str) -> Option<(TestId, bool)> {
    #[derive(Deserialize)]
    struct Event<'a> {
        #[serde(rename = "type")]
        kind: &'a str,
        event: &'a str,
        #[serde(borrow)]
        name: Option<std::borrow::Cow<'a, str>>,
    }
    if !line.starts_with('{') {
        return None;
    }
    let event: Event<'_> = serde_json::from_str(line).ok()?;
    if event.kind != "test" {
        return None;
    }
    let passed = match event.event {
        "ok" => true,
        "failed" | "timeout" => false,
        _ => return None,
    };
    let (binary_id, name) = event
        .name?
        .split_once('$')
        .map(|(b, n)| (b.to_owned(), n.to_owned()))?;
    Some((TestId::new(binary_id, name), passed))
}

/// What a finished cargo-nextest process left.
struct Captured {
    code: i32,
    stdout: String,
    stderr: String,
}

fn build_failure(output: &Captured, elapsed: Duration) -> BuildReport {
    let errors = compiler_errors(&output.stdout);
    BuildReport {
        success: false,
        errors: if errors.is_empty() {
            vec![stderr_tail(&output.stderr)]
        } else {
            errors
        },
        elapsed,
    }
}

/// The rendered messages of cargo's `compiler-message` lines at level `error`.
fn compiler_errors(stdout: &str) -> Vec<String> {
    #[derive(Deserialize)]
    struct Line {
        reason: String,
        message: Option<Message>,
    }
    #[derive(Deserialize)]
    struct Message {
        level: String,
        rendered: Option<String>,
    }
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Line>(line).ok())
        .filter(|line| line.reason == "compiler-message")
        .filter_map(|line| line.message)
        .filter(|message| message.level == "error")
        .filter_map(|message| message.rendered)
        .collect()
}

fn nextest_error(step: &'static str, code: i32, output: &Captured) -> RunError {
    RunError::Nextest {
        step,
        code,
        stderr: stderr_tail(&output.stderr),
    }
}

/// The last lines of a command's stderr.
fn stderr_tail(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    lines[lines.len().saturating_sub(STDERR_TAIL)..].join("\n")
}
