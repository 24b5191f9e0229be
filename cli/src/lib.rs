//! `mediaflow`: the tool that runs the MediaFlow debugging challenge. A library with a
//! thin binary, so tests, a future dashboard and an agent protocol drive the same code.
//!
//! # Layout
//! - [`args`]: the command line (clap derive), parsed in `main`.
//! - [`app`]: [`run`], from parsed arguments and the host environment to an exit code.
//! - [`challenge`]: the challenge engine (catalog, bug patches, authoring) as a library.
//! - [`commands`]: one module per command; the only place that prints.
//! - [`dashboard`]: the interactive terminal dashboard (ratatui): state, update, screens.
//! - [`infra`]: the Docker infrastructure (`up`, `down`, `status`, `logs`) as a library
//!   that emits events and returns reports, never prints.
//! - [`play`]: the player's side: a challenge workspace, its suites with cached
//!   results, scored attempts, tamper protection, history and hints.
//! - [`runner`]: building and running the challenge tests with nextest under the
//!   runner's own profile; per-test outcomes; weighted pass rate and tier.
//! - [`workspace`]: finding the workspace and where its files live.
//! - [`workspace_gen`]: generating a player's workspace (`init`) from embedded sources.
//! - [`host`]: the process environment, captured once at the edge.
//! - [`exit`]: exit codes, documented in `--help`.

pub mod app;
pub mod args;
pub mod challenge;
pub mod commands;
pub mod dashboard;
pub mod exit;
pub mod host;
pub mod infra;
pub mod play;
pub mod runner;
pub mod workspace;
pub mod workspace_gen;

pub use app::run;
