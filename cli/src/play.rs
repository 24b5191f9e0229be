//! The player's side of the tool, as a library (no printing): a challenge workspace and
//! its state, running its suites with results cached by the code's content, scoring an
//! attempt (reward, regressions, bugs fixed, tampering), the attempts' history, hints.
//!
//! # Layout
//! - [`error`]: [`PlayError`], each message saying what to do.
//! - [`workspace`]: [`PlayerWorkspace`]: root, state file, the challenge it belongs to.
//! - [`repo`]: git (git2): the working tree's content as a tree, snapshots of attempts
//!   under `refs/mediaflow/attempts/N`, changed files, restoring files — HEAD, the index
//!   and the player's branches are never touched.
//! - [`files`]: atomic writes of the runner's state.
//! - [`suite`]: running categories with nextest under the runner's profile; the test
//!   universe; results cached per tree.
//! - [`tamper`]: protected paths compared with the start commit.
//! - [`attempts`]: scoring and recording an attempt; the history.
//! - [`hints`]: hints, one level at a time, for the bugs behind a failing test.

pub mod attempts;
pub mod error;
pub mod files;
pub mod hints;
pub mod infra_choice;
pub mod repo;
pub mod suite;
pub mod tamper;
pub mod workspace;

pub use error::PlayError;
pub use workspace::PlayerWorkspace;
