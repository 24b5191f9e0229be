//! The runner's nextest profile. It is written next to the run's state and passed as a
//! tool config (`--tool-config-file mediaflow:PATH -P mediaflow-runner`), so the
//! repository's `.config/nextest.toml` — a file a player could edit — never decides
//! timeouts, retries, fail-fast or where the report goes.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The tool name nextest knows the config by.
pub const TOOL: &str = "mediaflow";

/// The profile the runner selects.
pub const PROFILE: &str = "mediaflow-runner";

/// The runner's settings for one kind of run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunnerProfile {
    /// A test running longer than this is reported slow…
    pub slow_period: Duration,
    /// …and stopped (a timeout failure) after this many periods.
    pub terminate_after: u32,
    /// Where nextest writes the JUnit report of each run (overwritten every run).
    pub junit_path: PathBuf,
}

impl RunnerProfile {
    /// The standard limits: a test gets 3 × 10 s before it is stopped as hung.
    pub fn new(junit_path: impl Into<PathBuf>) -> Self {
        Self {
            slow_period: Duration::from_secs(10),
            terminate_after: 3,
            junit_path: junit_path.into(),
        }
    }

    /// The profile as nextest configuration.
    pub fn to_toml(&self) -> String {
        let junit = toml_string(&self.junit_path.to_string_lossy());
        format!(
            "# Written by mediaflow for every run; edits are overwritten.\n\
             [profile.{PROFILE}]\n\
             fail-fast = false\n\
             retries = 0\n\
             slow-timeout = {{ period = \"{slow}ms\", terminate-after = {after}, grace-period = \"2s\" }}\n\
             leak-timeout = {{ period = \"500ms\", result = \"fail\" }}\n\
             status-level = \"none\"\n\
             final-status-level = \"none\"\n\
             failure-output = \"never\"\n\
             success-output = \"never\"\n\
             \n\
             [profile.{PROFILE}.junit]\n\
             path = {junit}\n\
             store-success-output = false\n\
             store-failure-output = true\n\
             report-skipped = \"ignored\"\n",
            slow = self.slow_period.as_millis(),
            after = self.terminate_after,
        )
    }

    /// Writes the profile to `path` (creating its folder).
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, self.to_toml())
    }
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}
