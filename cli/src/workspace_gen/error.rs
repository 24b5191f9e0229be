//! Why a workspace could not be generated; each message says what to do next.

use std::path::PathBuf;

use crate::challenge::catalog::CatalogError;
use crate::challenge::{ApplyError, PatchError};

/// Generating or writing a workspace failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The embedded archive is damaged (a build problem, not the user's).
    #[error("the sources embedded in this mediaflow binary are damaged; reinstall mediaflow")]
    DamagedArchive,
    /// The sources lack a file every workspace needs.
    #[error("the sources have no {0}; build mediaflow from a complete checkout of the repository")]
    MissingSource(String),
    /// A source file that must be text is not UTF-8.
    #[error("{0} is not UTF-8 text; bugs and manifests can only be text files")]
    NotText(String),
    /// The repository's sources could not be read.
    #[error("cannot read the reference sources under {}: {source}; run inside a checkout of the repository", repo.display())]
    ReadSources {
        /// The repository.
        repo: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The catalog is invalid.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// A bug's patch is missing from the sources.
    #[error(
        "bug {bug}: its patch {patch} is missing; record it with `mediaflow challenge record {bug}`"
    )]
    MissingPatch {
        /// The bug.
        bug: String,
        /// The patch path inside the challenge folder.
        patch: String,
    },
    /// A bug's patch does not parse.
    #[error("bug {bug}: {patch} {error}; re-record the bug")]
    PatchSyntax {
        /// The bug.
        bug: String,
        /// The patch path inside the challenge folder.
        patch: String,
        /// Where and what.
        error: PatchError,
    },
    /// A bug's patch touches something other than platform code.
    #[error("bug {bug} changes {file}, outside platform/; bugs live in platform logic only")]
    OutOfScope {
        /// The bug.
        bug: String,
        /// The file.
        file: String,
    },
    /// The selected bugs do not apply to the reference.
    #[error(transparent)]
    Apply(#[from] ApplyError),
    /// `--bugs` names a bug the catalog lacks.
    #[error("bug {id} is not in the catalog (known: {}); pick from those", if known.is_empty() { "none".to_owned() } else { known.join(", ") })]
    UnknownBug {
        /// The id asked for.
        id: String,
        /// The catalog's ids.
        known: Vec<String>,
    },
    /// `--count` asks for more bugs than the catalog has.
    #[error(
        "--count {count} is more than the {available} bug(s) of the catalog; pass at most {available}"
    )]
    CountTooLarge {
        /// What was asked.
        count: usize,
        /// What exists.
        available: usize,
    },
    /// The target exists and is not an empty directory.
    #[error("{} is not empty; pass --force to regenerate it (everything but target/ is replaced) or choose another directory", dir.display())]
    NotEmpty {
        /// The directory.
        dir: PathBuf,
    },
    /// The target holds a git repository mediaflow did not create.
    #[error("{} holds a git repository that is not a MediaFlow workspace; --force never deletes it: choose another directory", dir.display())]
    ForeignRepository {
        /// The directory.
        dir: PathBuf,
    },
    /// The target is a file.
    #[error("{} is a file; choose a directory", dir.display())]
    NotADirectory {
        /// The path.
        dir: PathBuf,
    },
    /// Writing the workspace failed.
    #[error("cannot write {}: {source}; check the permissions and free space there", path.display())]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Creating the repository or its first commit failed.
    #[error("cannot create the workspace's git repository in {}: {message}", dir.display())]
    Git {
        /// The workspace.
        dir: PathBuf,
        /// What libgit2 said.
        message: String,
    },
}

impl GenerateError {
    /// A write error at `path`.
    pub fn write(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Write { path, source }
    }
}
