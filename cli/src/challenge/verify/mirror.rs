//! Keeping a directory equal to a set of files while touching as little as possible:
//! only files whose content differs are written (so cargo's mtime-based freshness check
//! rebuilds exactly the crates a bug changed), and files no longer in the set are removed.

use std::collections::BTreeSet;
use std::io;
use std::path::Path;

use crate::workspace_gen::Files;

/// What one mirror pass changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MirrorStats {
    /// Files created or rewritten.
    pub written: usize,
    /// Files removed.
    pub removed: usize,
}

/// Makes the files under `root` exactly `files` (paths `/`-separated, relative).
pub fn mirror(root: &Path, files: &Files) -> io::Result<MirrorStats> {
    let mut stats = MirrorStats::default();
    let mut present = BTreeSet::new();
    if root.is_dir() {
        collect(root, "", &mut present)?;
    }
    for stale in present.iter().filter(|path| !files.contains_key(*path)) {
        std::fs::remove_file(root.join(stale))?;
        stats.removed += 1;
    }
    for (path, content) in files {
        let target = root.join(path);
        if present.contains(path) && std::fs::read(&target)? == *content {
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&target, content)?;
        stats.written += 1;
    }
    Ok(stats)
}

/// Every file under `dir`, as paths relative to the mirror root.
fn collect(dir: &Path, prefix: &str, into: &mut BTreeSet<String>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let kind = entry.file_type()?;
        if kind.is_dir() {
            collect(&entry.path(), &path, into)?;
        } else {
            into.insert(path);
        }
    }
    Ok(())
}
