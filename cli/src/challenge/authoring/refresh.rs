//! `refresh`: every bug's patch applied to the current reference by content and written
//! again from the result, so line numbers and context follow the reference. Any patch
//! that no longer applies stops the whole refresh before anything is written.

use std::path::PathBuf;

use crate::challenge::apply::apply;
use crate::challenge::diff::tree_patch;
use crate::challenge::reference::GitReference;

use super::{AuthoringError, Challenge};

/// What happened to one bug's patch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// Already current: not rewritten.
    Unchanged,
    /// Rewritten with current lines and context.
    Rewritten,
}

/// What `refresh` did, bug by bug in catalog order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshReport {
    /// Each bug, its patch file and the outcome.
    pub bugs: Vec<(String, PathBuf, RefreshOutcome)>,
}

/// Rewrites every patch of `challenge` against `reference`; all or nothing.
pub fn refresh(
    reference: &GitReference,
    challenge: &Challenge,
) -> Result<RefreshReport, AuthoringError> {
    let mut planned = Vec::new();
    let mut failures = Vec::new();
    for bug in &challenge.catalog.bugs {
        let attempt = (|| {
            let (text, patch) = challenge.read_patch(bug)?;
            let before = reference.tree(patch.files.iter().map(|file| &file.path))?;
            let mut after = before.clone();
            apply(&mut after, &patch, bug.id.as_str())?;
            Ok::<_, AuthoringError>((text, tree_patch(&before, &after).to_string()))
        })();
        match attempt {
            Ok((old, new)) => planned.push((bug, old, new)),
            Err(error) => failures.push(error.to_string()),
        }
    }
    if !failures.is_empty() {
        return Err(AuthoringError::Conflicts { failures });
    }
    let mut report = RefreshReport { bugs: Vec::new() };
    for (bug, old, new) in planned {
        let path = challenge.patch_path(bug);
        let outcome = if old == new {
            RefreshOutcome::Unchanged
        } else {
            std::fs::write(&path, new).map_err(AuthoringError::io(&path))?;
            RefreshOutcome::Rewritten
        };
        report.bugs.push((bug.id.to_string(), path, outcome));
    }
    Ok(report)
}
