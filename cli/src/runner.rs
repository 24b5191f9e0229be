//! Running the challenge tests with cargo-nextest under the runner's own profile, and
//! reading back what happened to every test. A library (no printing): `challenge verify`
//! uses it today, `mediaflow test` and `score` build on it.
//!
//! # Layout
//! - [`assertion`]: the `left`/`right` sides of a failed `assert_eq!` message.
//! - [`outcome`]: test names, per-test outcomes, a run's results.
//! - [`profile`]: the runner's nextest profile, shipped as a tool config so nothing a
//!   player edits changes timeouts, retries or reporting.
//! - [`junit`]: the profile's JUnit report read back into outcomes.
//! - [`cancel`]: stopping a build or run from another thread.
//! - [`nextest`]: building and running the test binaries of a workspace.
//! - [`score`]: weighted pass rate and reward tier from results and the catalog.

pub mod assertion;
pub mod cancel;
pub mod junit;
pub mod nextest;
pub mod outcome;
pub mod profile;
pub mod score;

pub use assertion::{assert_sides, is_side_line};
pub use cancel::CancelToken;
pub use nextest::{
    BuildReport, ListedTest, Nextest, NextestEvent, RunError, RunOutcome, RunReport,
};
pub use outcome::{FailureKind, Results, Status, TestId, TestResult};
