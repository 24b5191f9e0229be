//! Exit codes, in one place, documented in `--help` and the docs.

/// Everything asked for was done.
pub const OK: u8 = 0;

/// Tests failed or the reward is below 1 (used by `test` and `score`).
pub const TESTS_FAILED: u8 = 1;

/// `mediaflow challenge check` found a patch that does not apply, alone or together.
pub const CHECK_FAILED: u8 = 1;

/// The command line was wrong, or the environment was: no workspace, an invalid spec,
/// no Docker engine, a service that failed its health check.
pub const USAGE_OR_ENVIRONMENT: u8 = 2;

/// The `--help` paragraph listing the codes.
pub const HELP: &str = "Exit codes: 0 ok; 1 tests failed or reward below 1; 2 usage or environment error (bad arguments, no workspace, invalid infra.yaml, no Docker engine, a service that failed its health check); `challenge check` exits 1 when a patch does not apply or the catalog is invalid.";
