//! Paths inside the challenge tree as patches name them: relative, `/`-separated, never
//! escaping the tree and never inside `.git`, so applying a patch cannot touch anything
//! outside the workspace it is meant for.

use std::fmt;
use std::path::{Path, PathBuf};

/// A path a patch may touch, checked once when parsed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TreePath(String);

/// Why a path was refused; the message names the path and the rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TreePathError {
    /// Empty, absolute, or with `\`, empty, `.` or `..` components.
    #[error(
        "path `{0}` must be relative to the tree, `/`-separated, without `.`, `..` or empty components"
    )]
    NotRelative(String),
    /// Inside the repository's own metadata.
    #[error("path `{0}` is inside `.git`; a patch may only touch the tree's files")]
    GitMetadata(String),
}

impl TreePath {
    /// Checks `raw` and wraps it.
    pub fn parse(raw: &str) -> Result<Self, TreePathError> {
        let not_relative = || TreePathError::NotRelative(raw.to_owned());
        if raw.is_empty() || raw.starts_with('/') || raw.contains('\\') || raw.contains('\0') {
            return Err(not_relative());
        }
        for component in raw.split('/') {
            if component.is_empty() || component == "." || component == ".." {
                return Err(not_relative());
            }
            if component.eq_ignore_ascii_case(".git") {
                return Err(TreePathError::GitMetadata(raw.to_owned()));
            }
        }
        Ok(Self(raw.to_owned()))
    }

    /// The path as written in patches.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Where the file lives below `root` on disk.
    pub fn under(&self, root: &Path) -> PathBuf {
        self.0
            .split('/')
            .fold(root.to_owned(), |path, part| path.join(part))
    }

    /// Whether the path is `dir` itself or below it (`dir` without a trailing `/`).
    pub fn is_within(&self, dir: &str) -> bool {
        self.0
            .strip_prefix(dir)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }
}

impl fmt::Display for TreePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
