//! Tamper protection: the files a player must leave as they were — the catalog's
//! protected globs (the tests crate, the runner profile) plus what could change how
//! tests build or run without touching them: `.cargo/`, toolchain files, an added
//! `build.rs`, a `[patch]` or `[replace]` section in a manifest — compared between the
//! start commit's tree and the tree being scored.

use git2::Oid;
use serde::{Deserialize, Serialize};

use super::error::PlayError;
use super::repo::{Change, WorkspaceRepo};

/// Paths that change how the tests build or run, protected whatever the catalog says.
const ALWAYS_PROTECTED: &[&str] = &[
    ".cargo/**",
    "rust-toolchain",
    "rust-toolchain.toml",
    ".config/**",
];

/// One file that must not have changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TamperedFile {
    /// `/`-separated path from the workspace root.
    pub path: String,
    /// What happened to it.
    pub change: Change,
    /// The rule it breaks, for the message.
    pub rule: String,
}

/// Protected files of `now` that differ from `start` (both trees), in path order.
pub fn check(
    repo: &WorkspaceRepo,
    start: Oid,
    now: Oid,
    protected: &[String],
) -> Result<Vec<TamperedFile>, PlayError> {
    let mut tampered = Vec::new();
    for file in repo.changed_files(start, now)? {
        let rule = protected
            .iter()
            .map(String::as_str)
            .chain(ALWAYS_PROTECTED.iter().copied())
            .find(|pattern| glob_matches(pattern, &file.path))
            .map(|pattern| format!("protected ({pattern})"))
            .or_else(|| {
                (file.change == Change::Added
                    && (file.path == "build.rs" || file.path.ends_with("/build.rs")))
                .then(|| "an added build script".to_owned())
            });
        let rule = match rule {
            Some(rule) => Some(rule),
            None if file.change != Change::Removed && is_manifest(&file.path) => {
                manifest_override(repo, start, now, &file.path)?
            }
            None => None,
        };
        if let Some(rule) = rule {
            tampered.push(TamperedFile {
                path: file.path,
                change: file.change,
                rule,
            });
        }
    }
    Ok(tampered)
}

fn is_manifest(path: &str) -> bool {
    path == "Cargo.toml" || path.ends_with("/Cargo.toml")
}

/// A `[patch…]` or `[replace]` section `now`'s manifest has and `start`'s had not.
fn manifest_override(
    repo: &WorkspaceRepo,
    start: Oid,
    now: Oid,
    path: &str,
) -> Result<Option<String>, PlayError> {
    let sections = |bytes: Option<Vec<u8>>| -> Vec<String> {
        let text = bytes
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        text.lines()
            .map(str::trim)
            .filter(|line| line.starts_with("[patch") || line.starts_with("[replace"))
            .map(str::to_owned)
            .collect()
    };
    let before = sections(repo.file_in(start, path)?);
    let added = sections(repo.file_in(now, path)?)
        .into_iter()
        .find(|section| !before.contains(section));
    Ok(added.map(|section| format!("a dependency override ({section})")))
}

/// Whether `path` matches `pattern`: `**` any number of path segments, `*` any part
/// of one segment, everything else literal.
pub fn glob_matches(pattern: &str, path: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = path.split('/').collect();
    segments_match(&pattern, &path)
}

fn segments_match(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| segments_match(rest, &path[skip..])),
        Some((first, rest)) => path.split_first().is_some_and(|(segment, tail)| {
            segment_matches(first, segment) && segments_match(rest, tail)
        }),
    }
}

fn segment_matches(pattern: &str, segment: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == segment,
        Some((prefix, rest)) => {
            let Some(remainder) = segment.strip_prefix(prefix) else {
                return false;
            };
            (0..=remainder.len())
                .filter(|at| remainder.is_char_boundary(*at))
                .any(|at| segment_matches(rest, &remainder[at..]))
        }
    }
}

/// What `restore` did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Restored {
    /// Files put back as they were at the start.
    pub restored: Vec<String>,
    /// Files added under protected paths, removed.
    pub removed: Vec<String>,
    /// Manifests with a dependency override: edit them by hand (they hold the player's
    /// own work too).
    pub manual: Vec<TamperedFile>,
}

/// Puts every tampered file of the working tree back as it was in the start tree:
/// changed or deleted ones are rewritten, added ones removed. Manifests that only gained
/// a dependency override are named, not rewritten.
pub fn restore(
    repo: &WorkspaceRepo,
    root: &std::path::Path,
    start: Oid,
    protected: &[String],
) -> Result<Restored, PlayError> {
    let now = repo.worktree_tree()?;
    let mut report = Restored::default();
    for file in check(repo, start, now, protected)? {
        let target = file
            .path
            .split('/')
            .fold(root.to_owned(), |at, part| at.join(part));
        if file.rule.starts_with("a dependency override") {
            report.manual.push(file);
            continue;
        }
        match repo.file_in(start, &file.path)? {
            Some(content) => {
                if let Some(parent) = target.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(PlayError::io("cannot create", parent))?;
                }
                std::fs::write(&target, content).map_err(PlayError::io("cannot write", &target))?;
                report.restored.push(file.path);
            }
            None => {
                std::fs::remove_file(&target).map_err(PlayError::io("cannot remove", &target))?;
                report.removed.push(file.path);
            }
        }
    }
    Ok(report)
}
