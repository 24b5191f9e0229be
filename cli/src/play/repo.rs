//! The workspace's git repository as the runner uses it: the working tree's content as
//! a tree object (the cache key of results and the content of an attempt), snapshot
//! commits under `refs/mediaflow/attempts/N`, the files changed between two trees, and
//! restoring files from a tree. HEAD, the index file and the player's branches are never
//! written: the player's own use of git is never disturbed.

use std::path::Path;

use git2::{Delta, DiffOptions, IndexAddOption, ObjectType, Oid, Repository, Signature, Tree};

use crate::workspace_gen::{FALLBACK_AUTHOR, START_COMMIT};

use super::error::PlayError;

/// Where attempt snapshots live.
pub const ATTEMPTS_REF_PREFIX: &str = "refs/mediaflow/attempts/";

/// How a file differs between two trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// New in the later tree.
    Added,
    /// Content (or mode) changed.
    Modified,
    /// Gone from the later tree.
    Removed,
}

/// A changed file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChangedFile {
    /// `/`-separated path from the workspace root.
    pub path: String,
    /// How it changed.
    pub change: Change,
}

/// The workspace's repository.
pub struct WorkspaceRepo {
    repo: Repository,
}

impl std::fmt::Debug for WorkspaceRepo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkspaceRepo")
            .field("path", &self.repo.path())
            .finish()
    }
}

impl WorkspaceRepo {
    /// Opens the repository at `root` (exactly there, not a parent's).
    pub fn open(root: &Path) -> Result<Self, PlayError> {
        Ok(Self {
            repo: Repository::open(root)?,
        })
    }

    /// The working tree as it is now (files git ignores excluded, untracked ones
    /// included) written as a tree object. The index is changed only in memory and
    /// reloaded from disk afterwards.
    pub fn worktree_tree(&self) -> Result<Oid, PlayError> {
        let mut index = self.repo.index()?;
        let result = (|| {
            index.add_all(["*"], IndexAddOption::DEFAULT, None)?;
            index.update_all(["*"], None)?;
            index.write_tree()
        })();
        index.read(true)?;
        Ok(result?)
    }

    /// The start commit: the one the state file names, else the root commit of HEAD
    /// whose message is the start message.
    pub fn start_commit(&self, recorded: Option<&str>) -> Result<Oid, PlayError> {
        if let Some(id) = recorded {
            let oid = Oid::from_str(id)?;
            return Ok(self.repo.find_commit(oid)?.id());
        }
        let mut walk = self.repo.revwalk()?;
        walk.push_head()?;
        for oid in walk {
            let commit = self.repo.find_commit(oid?)?;
            if commit.parent_count() == 0
                && commit.message().ok().map(str::trim_end) == Some(START_COMMIT)
            {
                return Ok(commit.id());
            }
        }
        Err(git2::Error::from_str(&format!(
            "no \"{START_COMMIT}\" commit in the history of HEAD"
        ))
        .into())
    }

    /// The tree of commit `commit`.
    pub fn commit_tree(&self, commit: Oid) -> Result<Oid, PlayError> {
        Ok(self.repo.find_commit(commit)?.tree_id())
    }

    /// Records `tree` as attempt `number`: a commit (parent: HEAD's commit, if any) under
    /// `refs/mediaflow/attempts/<number>`. Returns the commit.
    pub fn snapshot(&self, tree: Oid, number: u32, message: &str) -> Result<Oid, PlayError> {
        let tree = self.repo.find_tree(tree)?;
        let signature = self.signature()?;
        let parent = self
            .repo
            .head()
            .ok()
            .and_then(|head| head.peel_to_commit().ok());
        let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
        let commit = self
            .repo
            .commit(None, &signature, &signature, message, &tree, &parents)?;
        self.repo.reference(
            &format!("{ATTEMPTS_REF_PREFIX}{number}"),
            commit,
            true,
            &format!("mediaflow: attempt {number}"),
        )?;
        Ok(commit)
    }

    /// Files that differ between trees `old` and `new`, by path.
    pub fn changed_files(&self, old: Oid, new: Oid) -> Result<Vec<ChangedFile>, PlayError> {
        let old = self.repo.find_tree(old)?;
        let new = self.repo.find_tree(new)?;
        let mut options = DiffOptions::new();
        options.include_typechange(true);
        let diff = self
            .repo
            .diff_tree_to_tree(Some(&old), Some(&new), Some(&mut options))?;
        let mut files: Vec<ChangedFile> = diff
            .deltas()
            .filter_map(|delta| {
                let change = match delta.status() {
                    Delta::Added | Delta::Copied | Delta::Untracked => Change::Added,
                    Delta::Deleted => Change::Removed,
                    _ => Change::Modified,
                };
                let file = if change == Change::Removed {
                    delta.old_file()
                } else {
                    delta.new_file()
                };
                let path = file.path()?.to_string_lossy().replace('\\', "/");
                Some(ChangedFile { path, change })
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    /// The unified diff between trees `old` and `new` (or the working tree when `None`).
    pub fn diff_text(&self, old: Oid, new: Option<Oid>) -> Result<String, PlayError> {
        let old = self.repo.find_tree(old)?;
        let new_tree = match new {
            Some(oid) => self.repo.find_tree(oid)?,
            None => self.repo.find_tree(self.worktree_tree()?)?,
        };
        let diff = self
            .repo
            .diff_tree_to_tree(Some(&old), Some(&new_tree), None)?;
        let mut text = String::new();
        diff.print(git2::DiffFormat::Patch, |_, _, line| {
            let origin = line.origin();
            if matches!(origin, '+' | '-' | ' ') {
                text.push(origin);
            }
            text.push_str(&String::from_utf8_lossy(line.content()));
            true
        })?;
        Ok(text)
    }

    /// The content of `path` in tree `tree`, if it is a file there.
    pub fn file_in(&self, tree: Oid, path: &str) -> Result<Option<Vec<u8>>, PlayError> {
        let tree: Tree<'_> = self.repo.find_tree(tree)?;
        let Ok(entry) = tree.get_path(Path::new(path)) else {
            return Ok(None);
        };
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        Ok(Some(self.repo.find_blob(entry.id())?.content().to_vec()))
    }

    /// Every file path of tree `tree`.
    pub fn paths_in(&self, tree: Oid) -> Result<Vec<String>, PlayError> {
        let tree = self.repo.find_tree(tree)?;
        let mut paths = Vec::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(ObjectType::Blob)
                && let Ok(name) = entry.name()
            {
                paths.push(format!("{dir}{name}"));
            }
            git2::TreeWalkResult::Ok
        })?;
        Ok(paths)
    }

    /// The id of the subtree at `dir` of tree `tree` (e.g. `tests`), if present.
    pub fn subtree(&self, tree: Oid, dir: &str) -> Result<Option<Oid>, PlayError> {
        let tree = self.repo.find_tree(tree)?;
        Ok(tree
            .get_path(Path::new(dir))
            .ok()
            .filter(|entry| entry.kind() == Some(ObjectType::Tree))
            .map(|entry| entry.id()))
    }

    /// The attempt commits recorded, by number.
    pub fn attempt_commit(&self, number: u32) -> Result<Option<Oid>, PlayError> {
        match self
            .repo
            .find_reference(&format!("{ATTEMPTS_REF_PREFIX}{number}"))
        {
            Ok(reference) => Ok(reference.target()),
            Err(error) if error.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(error) => Err(error.into()),
        }
    }

    fn signature(&self) -> Result<Signature<'static>, PlayError> {
        let configured = self.repo.signature().ok();
        let (name, email) = configured
            .as_ref()
            .and_then(|s| Some((s.name().ok()?, s.email().ok()?)))
            .unwrap_or(FALLBACK_AUTHOR);
        Ok(Signature::now(name, email)?)
    }
}
