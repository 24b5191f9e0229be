//! Applying patches by content. Each hunk's pre-image is looked for at its stated line
//! (moved by the drift of the hunks before it) and, failing that, anywhere after the
//! previous hunk: one match applies, none or several is an error naming the bug and the
//! hunk. Nothing changes unless every hunk of every file applies.

use crate::challenge::patch::{FileChange, FilePatch, Hunk, Patch};
use crate::challenge::path::TreePath;
use crate::challenge::tree::Tree;

/// Why a patch does not apply; each names the bug (or other label) it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// A hunk's pre-image occurs nowhere it could go.
    #[error(
        "hunk {hunk} of {file} does not match (bug {bug}); the reference changed there: edit the bug again and re-record it"
    )]
    Missing {
        /// The bug.
        bug: String,
        /// The file.
        file: TreePath,
        /// 1-based hunk number within the file.
        hunk: usize,
    },
    /// A hunk's pre-image occurs more than once and not at its stated line.
    #[error("hunk {hunk} of {file} matches at lines {} (bug {bug}): add context", join(.lines))]
    Ambiguous {
        /// The bug.
        bug: String,
        /// The file.
        file: TreePath,
        /// 1-based hunk number within the file.
        hunk: usize,
        /// 1-based lines where the pre-image starts.
        lines: Vec<usize>,
    },
    /// The patch changes or deletes a file that is not there.
    #[error(
        "bug {bug} changes {file}, which does not exist; re-record the bug against the current reference"
    )]
    NoSuchFile {
        /// The bug.
        bug: String,
        /// The file.
        file: TreePath,
    },
    /// The patch creates a file that already exists.
    #[error(
        "bug {bug} creates {file}, which already exists; re-record the bug against the current reference"
    )]
    AlreadyExists {
        /// The bug.
        bug: String,
        /// The file.
        file: TreePath,
    },
}

fn join(lines: &[usize]) -> String {
    lines
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// How a hunk's position is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// The stated line when the pre-image is there, else the one match elsewhere.
    PreferStated,
    /// The one match anywhere after the previous hunk, wherever the header says: used
    /// when writing patches, so no hunk depends on its line number to be found.
    Unique,
}

/// Applies `patch` (labelled `bug` in errors) to `tree`; on error `tree` is unchanged.
pub fn apply(tree: &mut Tree, patch: &Patch, bug: &str) -> Result<(), ApplyError> {
    apply_with(tree, patch, bug, Placement::PreferStated)
}

/// Undoes `patch` on `tree` (the tree must hold its result); on error `tree` is unchanged.
pub fn reverse_apply(tree: &mut Tree, patch: &Patch, bug: &str) -> Result<(), ApplyError> {
    apply(tree, &patch.reversed(), bug)
}

/// Applies several patches in order; on error `tree` is unchanged.
pub fn apply_all<'a>(
    tree: &mut Tree,
    patches: impl IntoIterator<Item = (&'a str, &'a Patch)>,
) -> Result<(), ApplyError> {
    let mut result = tree.clone();
    for (bug, patch) in patches {
        apply(&mut result, patch, bug)?;
    }
    *tree = result;
    Ok(())
}

/// [`apply`] with an explicit [`Placement`].
pub fn apply_with(
    tree: &mut Tree,
    patch: &Patch,
    bug: &str,
    placement: Placement,
) -> Result<(), ApplyError> {
    let mut changes = Vec::with_capacity(patch.files.len());
    for file in &patch.files {
        changes.push((&file.path, apply_file(tree, file, bug, placement)?));
    }
    for (path, content) in changes {
        match content {
            Some(text) => tree.insert(path.clone(), text),
            None => tree.remove(path),
        };
    }
    Ok(())
}

/// The file's new content (`None` once deleted).
fn apply_file(
    tree: &Tree,
    file: &FilePatch,
    bug: &str,
    placement: Placement,
) -> Result<Option<String>, ApplyError> {
    let current = tree.get(&file.path);
    let original = match (file.change, current) {
        (FileChange::Create, Some(_)) => {
            return Err(ApplyError::AlreadyExists {
                bug: bug.to_owned(),
                file: file.path.clone(),
            });
        }
        (FileChange::Create, None) => "",
        (_, None) => {
            return Err(ApplyError::NoSuchFile {
                bug: bug.to_owned(),
                file: file.path.clone(),
            });
        }
        (_, Some(text)) => text,
    };
    let lines: Vec<&str> = original.split_inclusive('\n').collect();
    let mut out = String::with_capacity(original.len());
    let mut cursor = 0;
    let mut drift: isize = 0;
    for (number, hunk) in file.hunks.iter().enumerate() {
        let at = locate(&lines, cursor, drift, hunk, placement).map_err(|found| {
            let (bug, file, hunk) = (bug.to_owned(), file.path.clone(), number + 1);
            match found {
                Some(lines) => ApplyError::Ambiguous {
                    bug,
                    file,
                    hunk,
                    lines,
                },
                None => ApplyError::Missing { bug, file, hunk },
            }
        })?;
        drift = isize::try_from(at).unwrap_or(isize::MAX)
            - isize::try_from(hunk.stated_index()).unwrap_or(isize::MAX);
        lines[cursor..at].iter().for_each(|line| out.push_str(line));
        hunk.post_image().iter().for_each(|line| out.push_str(line));
        cursor = at + hunk.old_len();
    }
    lines[cursor..].iter().for_each(|line| out.push_str(line));
    if file.change == FileChange::Delete {
        return if out.is_empty() {
            Ok(None)
        } else {
            Err(ApplyError::Missing {
                bug: bug.to_owned(),
                file: file.path.clone(),
                hunk: 1,
            })
        };
    }
    Ok(Some(out))
}

/// Where the hunk's pre-image starts (0-based), searching from `cursor`; the error holds
/// the 1-based candidate lines when there are several, `None` when there is none.
fn locate(
    lines: &[&str],
    cursor: usize,
    drift: isize,
    hunk: &Hunk,
    placement: Placement,
) -> Result<usize, Option<Vec<usize>>> {
    let pre = hunk.pre_image();
    let fits = |at: usize| lines.get(at..at + pre.len()) == Some(pre.as_slice());
    let stated = hunk.stated_index().checked_add_signed(drift);
    if pre.is_empty() {
        // Nothing to find: only the stated position can be meant (an empty file, or a
        // patch written without context).
        return match stated {
            Some(at) if at >= cursor && at <= lines.len() => Ok(at),
            _ => Err(None),
        };
    }
    if placement == Placement::PreferStated
        && let Some(at) = stated.filter(|&at| at >= cursor && fits(at))
    {
        return Ok(at);
    }
    let last = lines.len().checked_sub(pre.len());
    let matches: Vec<usize> = last
        .map(|last| (cursor..=last).filter(|&at| fits(at)).collect())
        .unwrap_or_default();
    match matches.as_slice() {
        [at] => Ok(*at),
        [] => Err(None),
        several => Err(Some(several.iter().map(|at| at + 1).collect())),
    }
}
