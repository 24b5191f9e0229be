//! The reference platform as committed: files read from `HEAD` of the repository with the
//! `git` command (read-only plumbing), and the working-tree paths that differ from it.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::challenge::path::TreePath;
use crate::challenge::tree::Tree;

/// Reading the reference failed.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// `git` could not be started.
    #[error("cannot run git in {}: {source}; install git and run inside the repository", root.display())]
    Spawn {
        /// The repository.
        root: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A git command failed.
    #[error("`git {command}` failed in {}: {stderr}; the reference is HEAD of a git repository with at least one commit", root.display())]
    Git {
        /// The repository.
        root: PathBuf,
        /// The arguments run.
        command: String,
        /// What git said.
        stderr: String,
    },
    /// A committed file is not UTF-8 text.
    #[error("{path} in HEAD is not UTF-8 text; bugs can only patch text files")]
    NotText {
        /// The file.
        path: String,
    },
}

/// The commit a challenge's patches are written against: `HEAD` of the repository.
#[derive(Debug, Clone)]
pub struct GitReference {
    /// The repository's root (where `platform/` is).
    root: PathBuf,
}

impl GitReference {
    /// Checks that `root` is inside a git repository with a `HEAD` commit.
    pub fn open(root: &Path) -> Result<Self, ReferenceError> {
        let reference = Self {
            root: root.to_owned(),
        };
        reference.git(&["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])?;
        Ok(reference)
    }

    /// The repository root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The committed content of `path`, `None` when `HEAD` has no such file.
    pub fn read(&self, path: &TreePath) -> Result<Option<String>, ReferenceError> {
        let listed = self.git(&["ls-tree", "-z", "HEAD", "--", path.as_str()])?;
        if listed.is_empty() {
            return Ok(None);
        }
        let spec = format!("HEAD:./{path}");
        let bytes = self.git(&["cat-file", "blob", &spec])?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| ReferenceError::NotText {
                path: path.to_string(),
            })
    }

    /// The committed contents of `paths` (absent files are left out).
    pub fn tree<'a>(
        &self,
        paths: impl IntoIterator<Item = &'a TreePath>,
    ) -> Result<Tree, ReferenceError> {
        let mut tree = Tree::new();
        for path in paths {
            if let Some(text) = self.read(path)? {
                tree.insert(path.clone(), text);
            }
        }
        Ok(tree)
    }

    /// Paths under `dir` whose working-tree state differs from `HEAD`: changed, deleted
    /// or new (untracked and not ignored), sorted.
    pub fn changed_under(&self, dir: &str) -> Result<Vec<TreePath>, ReferenceError> {
        let mut raw = self.git(&[
            "diff",
            "--name-only",
            "--relative",
            "-z",
            "--no-renames",
            "HEAD",
            "--",
            dir,
        ])?;
        raw.extend(self.git(&[
            "ls-files",
            "--others",
            "--exclude-standard",
            "-z",
            "--",
            dir,
        ])?);
        let mut paths: Vec<TreePath> = raw
            .split(|byte| *byte == 0)
            .filter(|name| !name.is_empty())
            .filter_map(|name| TreePath::parse(&String::from_utf8_lossy(name)).ok())
            .collect();
        paths.sort();
        paths.dedup();
        Ok(paths)
    }

    fn git(&self, args: &[&str]) -> Result<Vec<u8>, ReferenceError> {
        let output = Command::new("git")
            .arg("-C")
            .arg(&self.root)
            .args(args)
            .output()
            .map_err(|source| ReferenceError::Spawn {
                root: self.root.clone(),
                source,
            })?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(ReferenceError::Git {
                root: self.root.clone(),
                command: args.join(" "),
                stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
            })
        }
    }
}
