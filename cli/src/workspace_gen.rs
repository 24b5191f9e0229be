//! Generating challenge workspaces (no printing): the reference sources embedded in the
//! binary, a derived manifest and lock file, the selected bugs applied by content, the
//! player's README and state, and git with one "challenge start" commit.
//!
//! # Layout
//! - [`archive`]: which repository files are sources, and their embedded archive.
//! - [`sources`]: [`Sources`] (embedded or from a checkout) and the loaded challenge.
//! - [`select`]: [`Selection`] of the active bugs.
//! - [`manifest`]: the workspace's root `Cargo.toml` and pruned `Cargo.lock`.
//! - [`generate`]: a workspace's files in memory.
//! - [`readme`], [`state`]: the player's README and `.mediaflow/state.json`.
//! - [`init`]: writing a workspace and its first commit.

pub mod archive;
pub mod error;
pub mod generate;
pub mod init;
pub mod manifest;
pub mod readme;
pub mod select;
pub mod sources;
pub mod state;

pub use error::GenerateError;
pub use generate::{Files, GITIGNORE, platform_files, workspace_files};
pub use init::{FALLBACK_AUTHOR, InitOptions, InitReport, START_COMMIT, init, write_files};
pub use select::{Selection, select};
pub use sources::{LoadedChallenge, Sources};
pub use state::{STATE_FILE, WorkspaceState};
