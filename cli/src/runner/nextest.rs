//! Building and running the challenge's test binaries with cargo-nextest, under the
//! runner's profile, in any workspace and with any target directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::junit::{self, JunitError};
use super::outcome::{Results, TESTS_PACKAGE};
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
    /// Wall time (the binaries were built before).
    pub elapsed: Duration,
}

/// The challenge's test binaries of one workspace, built into one target directory.
#[derive(Debug, Clone)]
pub struct Nextest {
    workspace: PathBuf,
    target_dir: PathBuf,
    binaries: Vec<String>,
    profile: RunnerProfile,
    profile_path: PathBuf,
}

impl Nextest {
    /// Runs `binaries` (test binaries of the tests package) of the workspace at
    /// `workspace`, building into `target_dir`; the profile and the JUnit report live in
    /// `state_dir`.
    pub fn new(
        workspace: &Path,
        target_dir: &Path,
        binaries: Vec<String>,
        state_dir: &Path,
    ) -> Self {
        Self {
            workspace: workspace.to_owned(),
            target_dir: target_dir.to_owned(),
            binaries,
            profile: RunnerProfile::new(state_dir.join("junit.xml")),
            profile_path: state_dir.join("nextest-runner.toml"),
        }
    }

    /// Compiles the test binaries, collecting the compiler's error messages.
    pub fn build(&self) -> Result<BuildReport, RunError> {
        let started = Instant::now();
        let output = self.execute(&["--no-run", "--cargo-message-format", "json"])?;
        let status = output.status.code().unwrap_or(-1);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let errors = compiler_errors(&stdout);
        match status {
            code::OK => Ok(BuildReport {
                success: true,
                errors: Vec::new(),
                elapsed: started.elapsed(),
            }),
            code::BUILD_FAILED => Ok(BuildReport {
                success: false,
                errors: if errors.is_empty() {
                    vec![stderr_tail(&output)]
                } else {
                    errors
                },
                elapsed: started.elapsed(),
            }),
            code => Err(nextest_error("build", code, &output)),
        }
    }

    /// Runs every test (or those `filter`, a nextest filterset, selects); the binaries
    /// are built first if they are not current.
    pub fn run(&self, filter: Option<&str>) -> Result<RunReport, RunError> {
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
        let mut args = vec!["--no-fail-fast"];
        if let Some(filter) = filter {
            args.extend(["-E", filter]);
        }
        let output = self.execute(&args)?;
        match output.status.code().unwrap_or(-1) {
            code::OK | code::TEST_RUN_FAILED => {}
            code::NO_TESTS_RUN => {
                return Ok(RunReport {
                    results: Results::default(),
                    elapsed: started.elapsed(),
                });
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
        Ok(RunReport {
            results: Results::from_results(results),
            elapsed: started.elapsed(),
        })
    }

    /// `cargo nextest run` with the runner's profile, the package's binaries and `extra`.
    fn execute(&self, extra: &[&str]) -> Result<Output, RunError> {
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
            .args(["nextest", "run", "--tool-config-file", &tool_config])
            .args(["--profile", PROFILE, "--package", TESTS_PACKAGE])
            .args([
                "--color",
                "never",
                "--show-progress",
                "none",
                "--no-input-handler",
            ]);
        for binary in &self.binaries {
            command.args(["--test", binary]);
        }
        command
            .args(extra)
            .env("CARGO_TARGET_DIR", &self.target_dir)
            .env("CARGO_TERM_COLOR", "never")
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::null());
        // A run started from inside another nextest run must not inherit its settings.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("NEXTEST_") {
                command.env_remove(name);
            }
        }
        let output = command.output().map_err(RunError::CargoMissing)?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() && stderr.contains("no such command: `nextest`") {
            return Err(RunError::NextestMissing);
        }
        Ok(output)
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

fn nextest_error(step: &'static str, code: i32, output: &Output) -> RunError {
    RunError::Nextest {
        step,
        code,
        stderr: stderr_tail(output),
    }
}

/// The last lines of a command's stderr.
fn stderr_tail(output: &Output) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    lines[lines.len().saturating_sub(STDERR_TAIL)..].join("\n")
}
