//! Errors of the authoring commands; each names the bug, file or hunk concerned and what
//! to do about it.

use std::path::PathBuf;

use crate::challenge::apply::ApplyError;
use crate::challenge::catalog::CatalogError;
use crate::challenge::patch::PatchError;
use crate::challenge::reference::ReferenceError;

/// Why `record`, `refresh` or `check` stopped.
#[derive(Debug, thiserror::Error)]
pub enum AuthoringError {
    /// The catalog is unreadable or invalid.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// The reference could not be read.
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    /// The bug is not in the catalog.
    #[error("bug {id} is not in the catalog (known: {}); add it to challenge.yaml first", if known.is_empty() { "none".to_owned() } else { known.join(", ") })]
    UnknownBug {
        /// The id asked for.
        id: String,
        /// The catalog's ids.
        known: Vec<String>,
    },
    /// A file could not be read or written.
    #[error("cannot access {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A patch does not parse.
    #[error("{}:{} (bug {bug}): {}; re-record the bug", path.display(), error.line, error.message)]
    PatchSyntax {
        /// The bug.
        bug: String,
        /// The patch file.
        path: PathBuf,
        /// Where and what.
        error: PatchError,
    },
    /// A patch touches something other than platform code.
    #[error(
        "bug {bug} changes {file}, outside platform/; bugs live in platform logic, never in tests or tooling"
    )]
    OutOfScope {
        /// The bug.
        bug: String,
        /// The offending file.
        file: String,
    },
    /// A patch does not apply to the reference.
    #[error(transparent)]
    Apply(#[from] ApplyError),
    /// `record` found no change to record.
    #[error(
        "nothing to record: no file under {scope}/ differs from HEAD; plant the bug in the reference first, then record it"
    )]
    NothingToRecord {
        /// The folder compared.
        scope: String,
    },
    /// `refresh` met patches that no longer apply; nothing was written.
    #[error("{} patch(es) no longer apply, nothing was rewritten:\n  {}", failures.len(), failures.join("\n  "))]
    Conflicts {
        /// One message per failing bug.
        failures: Vec<String>,
    },
}

impl AuthoringError {
    /// An IO error at `path`.
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io { path, source }
    }
}
