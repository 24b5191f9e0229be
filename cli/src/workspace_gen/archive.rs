//! The repository files a player's workspace is generated from, and the archive they are
//! packed into. Standard library only: `build.rs` includes this file with `#[path]` to
//! embed the archive, and the library reads it back, so both agree on one format.
//!
//! Format: for every file, sorted by path, a little-endian `u32` path length, the UTF-8
//! `/`-separated path, a little-endian `u64` content length and the content.

use std::io;
use std::path::Path;

/// Directories taken whole (minus `target/` and dotfiles): the platform crates, the
/// challenge tests and the incident scenarios.
pub const SOURCE_ROOTS: &[&str] = &["platform", "tests", "scenarios"];

/// Single files taken as they are: the runner profiles, the lock file (so a workspace
/// builds offline from the local cargo cache) and the root manifest the workspace's own
/// manifest is derived from.
pub const SOURCE_FILES: &[&str] = &[".config/nextest.toml", "Cargo.lock", "Cargo.toml"];

/// The challenge folder: its catalog and patches generate workspaces and are never
/// written into one.
pub const CHALLENGE_ROOT: &str = "challenges/mediaflow";

/// One file: its `/`-separated path relative to the repository, and its bytes.
pub type Entry = (String, Vec<u8>);

/// Every source file of the repository at `repo`, sorted by path. A missing challenge
/// folder is an empty challenge; any other missing root is an error.
pub fn collect(repo: &Path) -> io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for root in SOURCE_ROOTS {
        walk(repo, root, &mut entries)?;
    }
    if repo.join(CHALLENGE_ROOT).is_dir() {
        walk(repo, CHALLENGE_ROOT, &mut entries)?;
    }
    for file in SOURCE_FILES {
        entries.push(((*file).to_owned(), std::fs::read(repo.join(file))?));
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(entries)
}

/// Adds the files below `repo/relative`, skipping build output and hidden entries.
fn walk(repo: &Path, relative: &str, entries: &mut Vec<Entry>) -> io::Result<()> {
    let dir = repo.join(relative);
    let mut children: Vec<_> = std::fs::read_dir(&dir)?.collect::<Result<_, _>>()?;
    children.sort_by_key(std::fs::DirEntry::file_name);
    for child in children {
        let name = child.file_name();
        let Some(name) = name.to_str() else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: file names must be UTF-8", child.path().display()),
            ));
        };
        if name.starts_with('.') || name == "target" {
            continue;
        }
        let path = format!("{relative}/{name}");
        let kind = child.file_type()?;
        if kind.is_dir() {
            walk(repo, &path, entries)?;
        } else if kind.is_file() {
            entries.push((path, std::fs::read(child.path())?));
        }
    }
    Ok(())
}

/// Packs `entries` into one archive.
pub fn encode(entries: &[Entry]) -> Vec<u8> {
    let size = entries
        .iter()
        .map(|(path, content)| 12 + path.len() + content.len())
        .sum();
    let mut out = Vec::with_capacity(size);
    for (path, content) in entries {
        let path_len = u32::try_from(path.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&path_len.to_le_bytes());
        out.extend_from_slice(path.as_bytes());
        out.extend_from_slice(&(content.len() as u64).to_le_bytes());
        out.extend_from_slice(content);
    }
    out
}

/// Unpacks an archive written by [`encode`]; `None` when it is truncated or malformed.
pub fn decode(mut bytes: &[u8]) -> Option<Vec<Entry>> {
    let mut entries = Vec::new();
    while !bytes.is_empty() {
        let (path_len, rest) = bytes.split_first_chunk::<4>()?;
        let path_len = usize::try_from(u32::from_le_bytes(*path_len)).ok()?;
        let (path, rest) = rest.split_at_checked(path_len)?;
        let (content_len, rest) = rest.split_first_chunk::<8>()?;
        let content_len = usize::try_from(u64::from_le_bytes(*content_len)).ok()?;
        let (content, rest) = rest.split_at_checked(content_len)?;
        entries.push((String::from_utf8(path.to_vec()).ok()?, content.to_vec()));
        bytes = rest;
    }
    Some(entries)
}
