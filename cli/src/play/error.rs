//! Why a player command could not do its job; every message says what to do next.

use std::path::PathBuf;

use crate::runner::RunError;
use crate::workspace_gen::GenerateError;

/// A player command failed before producing a result.
#[derive(Debug, thiserror::Error)]
pub enum PlayError {
    /// The directory is not a challenge workspace.
    #[error(
        "{} is not a challenge workspace (it has no .mediaflow/state.json); create one with `mediaflow init DIR` and run the command inside it",
        root.display()
    )]
    NotAWorkspace {
        /// The directory.
        root: PathBuf,
    },
    /// The state file exists but cannot be read.
    #[error(
        "the workspace state {} is damaged ({message}); it was not changed — restore it from a backup or create a fresh workspace with `mediaflow init`",
        path.display()
    )]
    CorruptState {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The workspace belongs to another challenge or version than this tool carries.
    #[error(
        "this workspace is challenge {workspace}, but this mediaflow carries {tool}; use the mediaflow that created it, or start again with `mediaflow init`"
    )]
    OtherChallenge {
        /// The workspace's `id version`.
        workspace: String,
        /// The tool's `id version`.
        tool: String,
    },
    /// The challenge the tool carries could not be loaded.
    #[error(transparent)]
    Sources(#[from] GenerateError),
    /// A git operation failed.
    #[error("git: {0}; the workspace must be the git repository `mediaflow init` created")]
    Git(#[from] git2::Error),
    /// Reading or writing the runner's files failed.
    #[error("{what} {}: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A stored record cannot be read.
    #[error(
        "{} is damaged ({message}); it was not changed — move it away to continue",
        path.display()
    )]
    CorruptRecord {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A category name not in the catalog.
    #[error("unknown category `{name}`; the categories are {known}")]
    UnknownCategory {
        /// What was asked for.
        name: String,
        /// The catalog's categories.
        known: String,
    },
    /// cargo or nextest could not produce results.
    #[error(transparent)]
    Run(#[from] RunError),
}

impl PlayError {
    /// An I/O error with context.
    pub fn io(what: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { what, path, source }
    }
}
