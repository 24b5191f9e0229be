//! `check`: the catalog is valid, each bug's patch parses, stays in `platform/`, applies
//! to the reference alone (and reverses back to it), and all apply together in catalog
//! order. Whether a patch is current (what `refresh` would write) is reported too.

use serde::Serialize;

use crate::challenge::apply::{apply, apply_all, reverse_apply};
use crate::challenge::diff::tree_patch;
use crate::challenge::patch::Patch;
use crate::challenge::path::TreePath;
use crate::challenge::reference::GitReference;

use super::{AuthoringError, Challenge};

/// One bug's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BugCheck {
    /// The bug id.
    pub id: String,
    /// The service it lives in.
    pub service: String,
    /// The patch, relative to the challenge folder.
    pub patch: String,
    /// Files the patch changes (0 when it did not parse).
    pub files: usize,
    /// Hunks over all files.
    pub hunks: usize,
    /// Why the patch does not apply alone, `None` when it does.
    pub error: Option<String>,
    /// Whether the patch text is what `refresh` would write (`false` also on error).
    pub current: bool,
}

/// The whole check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckReport {
    /// The challenge id and version.
    pub challenge: String,
    /// Per bug, in catalog order.
    pub bugs: Vec<BugCheck>,
    /// Why all bugs together do not apply, `None` when they do (or there are none).
    pub together: Option<String>,
}

impl CheckReport {
    /// Every patch applies alone and all apply together.
    pub fn passed(&self) -> bool {
        self.together.is_none() && self.bugs.iter().all(|bug| bug.error.is_none())
    }

    /// Patches that apply but are not what `refresh` would write.
    pub fn stale(&self) -> impl Iterator<Item = &BugCheck> {
        self.bugs
            .iter()
            .filter(|bug| bug.error.is_none() && !bug.current)
    }
}

/// Checks every bug of `challenge` against `reference`.
pub fn check(
    reference: &GitReference,
    challenge: &Challenge,
) -> Result<CheckReport, AuthoringError> {
    let mut bugs = Vec::new();
    let mut parsed: Vec<(&str, Patch)> = Vec::new();
    for bug in &challenge.catalog.bugs {
        let mut result = BugCheck {
            id: bug.id.to_string(),
            service: bug.service.clone(),
            patch: bug.patch.clone(),
            files: 0,
            hunks: 0,
            error: None,
            current: false,
        };
        match check_one(reference, challenge, bug) {
            Ok((patch, current)) => {
                result.files = patch.files.len();
                result.hunks = patch.hunk_count();
                result.current = current;
                parsed.push((bug.id.as_str(), patch));
            }
            Err(error) => result.error = Some(error.to_string()),
        }
        bugs.push(result);
    }
    let together = if parsed.len() == bugs.len() {
        let mut paths: Vec<&TreePath> = parsed
            .iter()
            .flat_map(|(_, patch)| patch.files.iter().map(|file| &file.path))
            .collect();
        paths.sort();
        paths.dedup();
        let mut tree = reference.tree(paths)?;
        apply_all(&mut tree, parsed.iter().map(|(id, patch)| (*id, patch)))
            .err()
            .map(|error| error.to_string())
    } else {
        Some("not tried: some patches do not apply alone".to_owned())
    };
    Ok(CheckReport {
        challenge: format!("{} {}", challenge.catalog.id, challenge.catalog.version),
        bugs,
        together,
    })
}

/// The parsed patch and whether it is current, or why it fails.
fn check_one(
    reference: &GitReference,
    challenge: &Challenge,
    bug: &crate::challenge::catalog::Bug,
) -> Result<(Patch, bool), AuthoringError> {
    let (text, patch) = challenge.read_patch(bug)?;
    let before = reference.tree(patch.files.iter().map(|file| &file.path))?;
    let mut after = before.clone();
    apply(&mut after, &patch, bug.id.as_str())?;
    let mut back = after.clone();
    reverse_apply(&mut back, &patch, bug.id.as_str())?;
    if back != before {
        return Err(AuthoringError::Conflicts {
            failures: vec![format!(
                "bug {}: undoing the patch does not give the reference back; re-record the bug",
                bug.id
            )],
        });
    }
    let current = tree_patch(&before, &after).to_string() == text;
    Ok((patch, current))
}
