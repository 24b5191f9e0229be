//! What a run says about each test: its full name, whether it passed, and if not how
//! it failed and what it printed.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The package whose test binaries are the challenge's categories.
pub const TESTS_PACKAGE: &str = "mediaflow-tests";

/// A test's full nextest name: the binary id and the test's path inside it, written
/// `mediaflow-tests::unit money::amounts_parse_exactly` (as nextest prints it and as the
/// catalog's `breaks` lists it).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TestId {
    /// Binary id: `package::binary` for an integration-test binary.
    pub binary_id: String,
    /// The test's path inside the binary.
    pub name: String,
}

impl TestId {
    /// A test `name` in `binary_id`.
    pub fn new(binary_id: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            binary_id: binary_id.into(),
            name: name.into(),
        }
    }

    /// Parses `binary_id test_name`; `None` without the space or with an empty half.
    pub fn parse(full: &str) -> Option<Self> {
        let (binary_id, name) = full.trim().split_once(' ')?;
        (!binary_id.is_empty() && !name.trim().is_empty())
            .then(|| Self::new(binary_id, name.trim()))
    }

    /// The binary's name: what follows `package::` (`unit` for `mediaflow-tests::unit`).
    pub fn binary(&self) -> &str {
        binary_name(&self.binary_id)
    }
}

impl fmt::Display for TestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.binary_id, self.name)
    }
}

impl Serialize for TestId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TestId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("`{text}` is not `binary_id test_name`"))
        })
    }
}

/// The binary's name in binary id `binary_id` (`unit` for `mediaflow-tests::unit`).
pub fn binary_name(binary_id: &str) -> &str {
    binary_id
        .split_once("::")
        .map_or(binary_id, |(_, binary)| binary)
}

/// How a test that did not pass failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// It panicked or returned an error (an assertion failed).
    Failed,
    /// It ran past the profile's slow-timeout limit and was stopped.
    Timeout,
    /// It passed but left handles (a spawned task, a child process) behind.
    Leak,
    /// It crashed or could not be run (a signal, an abort).
    Error,
    /// Its binary did not compile.
    DidNotBuild,
    /// It was expected but never reported (the run stopped early).
    DidNotRun,
}

impl FailureKind {
    /// A short word for tables.
    pub fn label(self) -> &'static str {
        match self {
            Self::Failed => "failed",
            Self::Timeout => "timeout",
            Self::Leak => "leak",
            Self::Error => "crashed",
            Self::DidNotBuild => "did not build",
            Self::DidNotRun => "did not run",
        }
    }
}

/// Whether a test passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status", content = "kind")]
pub enum Status {
    /// It passed (possibly after retries, which the runner's profile does not allow).
    Passed,
    /// It did not pass.
    Failed(FailureKind),
    /// It was not run on purpose (`#[ignore]`).
    Skipped,
}

/// One test's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestResult {
    /// The test.
    pub id: TestId,
    /// Passed, failed how, or skipped.
    #[serde(flatten)]
    pub status: Status,
    /// How long it ran, when reported.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "seconds")]
    pub duration: Option<Duration>,
    /// Why a failed test failed: its panic message (with `left`/`right` of a failed
    /// `assert_eq`), or the runner's reason (a timeout, leaked handles).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub message: String,
    /// What a failed test printed: captured stdout, then stderr.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub output: String,
}

impl TestResult {
    /// Whether the test passed.
    pub fn passed(&self) -> bool {
        self.status == Status::Passed
    }
}

/// Every test of a run, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Results {
    tests: BTreeMap<TestId, TestResult>,
}

impl Results {
    /// Results from outcomes; a later outcome for the same test replaces an earlier one.
    pub fn from_results(results: impl IntoIterator<Item = TestResult>) -> Self {
        Self {
            tests: results.into_iter().map(|r| (r.id.clone(), r)).collect(),
        }
    }

    /// The outcome of `id`, if it ran.
    pub fn get(&self, id: &TestId) -> Option<&TestResult> {
        self.tests.get(id)
    }

    /// Every outcome, in name order.
    pub fn iter(&self) -> impl Iterator<Item = &TestResult> {
        self.tests.values()
    }

    /// The outcomes that are not passes (skipped tests excluded).
    pub fn failures(&self) -> impl Iterator<Item = &TestResult> {
        self.iter()
            .filter(|result| matches!(result.status, Status::Failed(_)))
    }

    /// How many tests were reported.
    pub fn len(&self) -> usize {
        self.tests.len()
    }

    /// Whether nothing was reported.
    pub fn is_empty(&self) -> bool {
        self.tests.is_empty()
    }

    /// The outcomes of binary `binary` (its name, e.g. `chaos`).
    pub fn in_binary<'a>(&'a self, binary: &'a str) -> impl Iterator<Item = &'a TestResult> {
        self.iter()
            .filter(move |result| result.id.binary() == binary)
    }
}

/// Durations as fractional seconds in JSON.
mod seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    #[expect(
        clippy::ref_option,
        reason = "serde's `with` passes the field by reference"
    )]
    pub fn serialize<S: Serializer>(value: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(duration) => s.serialize_f64(duration.as_secs_f64()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        let seconds = Option::<f64>::deserialize(d)?;
        Ok(seconds
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(Duration::from_secs_f64))
    }
}
