//! `record`: the edits under `platform/` become the bug's patch, then the edited files
//! are put back as committed, so the repository keeps holding the correct reference.

use std::path::PathBuf;

use crate::challenge::apply::apply;
use crate::challenge::diff::tree_patch;
use crate::challenge::path::TreePath;
use crate::challenge::reference::GitReference;
use crate::challenge::tree::Tree;

use super::{AuthoringError, BUG_SCOPE, Challenge};

/// What `record` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordReport {
    /// The bug recorded.
    pub bug: String,
    /// The patch file written.
    pub patch_path: PathBuf,
    /// The files the patch changes (and that were restored).
    pub files: Vec<TreePath>,
    /// Hunks over all files.
    pub hunks: usize,
    /// Whether an earlier patch of the bug was replaced.
    pub replaced: bool,
}

/// Records bug `id` from the working tree's edits under [`BUG_SCOPE`] against `HEAD`.
pub fn record(
    reference: &GitReference,
    challenge: &Challenge,
    id: &str,
) -> Result<RecordReport, AuthoringError> {
    let bug = challenge.bug(id)?;
    let paths = reference.changed_under(BUG_SCOPE)?;
    if paths.is_empty() {
        return Err(AuthoringError::NothingToRecord {
            scope: BUG_SCOPE.to_owned(),
        });
    }
    let before = reference.tree(&paths)?;
    let mut after = Tree::new();
    for path in &paths {
        let on_disk = path.under(reference.root());
        match std::fs::read_to_string(&on_disk) {
            Ok(text) => {
                after.insert(path.clone(), text);
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(AuthoringError::Io {
                    path: on_disk,
                    source,
                });
            }
        }
    }
    let patch = tree_patch(&before, &after);
    if patch.files.is_empty() {
        return Err(AuthoringError::NothingToRecord {
            scope: BUG_SCOPE.to_owned(),
        });
    }
    // The patch must reproduce the edits by content before anything is touched.
    let mut replay = before.clone();
    apply(&mut replay, &patch, bug.id.as_str())?;
    debug_assert_eq!(
        replay, after,
        "a recorded patch reproduces the edited files"
    );

    let patch_path = challenge.patch_path(bug);
    let replaced = patch_path.exists();
    if let Some(parent) = patch_path.parent() {
        std::fs::create_dir_all(parent).map_err(AuthoringError::io(parent))?;
    }
    std::fs::write(&patch_path, patch.to_string()).map_err(AuthoringError::io(&patch_path))?;
    for file in &patch.files {
        let on_disk = file.path.under(reference.root());
        match before.get(&file.path) {
            Some(text) => std::fs::write(&on_disk, text),
            None => std::fs::remove_file(&on_disk),
        }
        .map_err(AuthoringError::io(&on_disk))?;
    }
    Ok(RecordReport {
        bug: bug.id.to_string(),
        patch_path,
        files: patch.files.iter().map(|file| file.path.clone()).collect(),
        hunks: patch.hunk_count(),
        replaced,
    })
}
