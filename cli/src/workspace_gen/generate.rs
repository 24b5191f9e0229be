//! From sources and a set of active bugs to the workspace's files, in memory: the
//! reference with the bugs applied (by content, in catalog order), pristine tests,
//! scenarios, runner profiles, a derived root manifest and lock file, the player's
//! README, `.gitignore` and the state file. Nothing of the challenge folder is copied.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::challenge::apply::apply_all;
use crate::challenge::path::TreePath;
use crate::challenge::tree::Tree;

use super::error::GenerateError;
use super::manifest::{prune_lock, root_manifest};
use super::readme::player_readme;
use super::sources::{LoadedChallenge, Sources};
use super::state::{STATE_FILE, WorkspaceState};

/// The `.gitignore` of every workspace: build output and the runner's own state.
pub const GITIGNORE: &str = "/target/\n/.mediaflow/\n";

/// A workspace's files by `/`-separated path.
pub type Files = BTreeMap<String, Vec<u8>>;

/// The reference files of `sources` with the bugs `active` (ids, catalog order) applied,
/// plus the generated root manifest and pruned lock file: a buildable workspace, without
/// the README, `.gitignore` and state that only a player's workspace needs.
pub fn platform_files(
    sources: &Sources,
    challenge: &LoadedChallenge,
    active: &[String],
) -> Result<Files, GenerateError> {
    let mut files: Files = sources
        .reference_files()
        .map(|(path, content)| (path.to_owned(), content.to_vec()))
        .collect();
    let selected: Vec<_> = challenge
        .patches
        .iter()
        .filter(|(bug, _)| active.iter().any(|id| id == bug.id.as_str()))
        .collect();
    let touched: BTreeSet<&TreePath> = selected
        .iter()
        .flat_map(|(_, patch)| patch.files.iter().map(|file| &file.path))
        .collect();
    let mut tree = Tree::new();
    for path in &touched {
        if let Some(bytes) = files.get(path.as_str()) {
            let text =
                std::str::from_utf8(bytes).map_err(|_| GenerateError::NotText(path.to_string()))?;
            tree.insert((*path).clone(), text.to_owned());
        }
    }
    apply_all(
        &mut tree,
        selected.iter().map(|(bug, patch)| (bug.id.as_str(), patch)),
    )?;
    for path in touched {
        match tree.get(path) {
            Some(text) => files.insert(path.to_string(), text.as_bytes().to_vec()),
            None => files.remove(path.as_str()),
        };
    }
    let manifests: Vec<&str> = files
        .iter()
        .filter(|(path, _)| path.ends_with("/Cargo.toml"))
        .filter_map(|(_, content)| std::str::from_utf8(content).ok())
        .collect();
    let members: BTreeSet<String> = manifests.iter().filter_map(|m| package_name(m)).collect();
    let paths: BTreeSet<&str> = files.keys().map(String::as_str).collect();
    let manifest = root_manifest(
        sources.text("Cargo.toml")?,
        &paths,
        manifests.iter().copied(),
    );
    let lock = prune_lock(sources.text("Cargo.lock")?, &members);
    files.insert("Cargo.toml".to_owned(), manifest.into_bytes());
    files.insert("Cargo.lock".to_owned(), lock.into_bytes());
    Ok(files)
}

/// Every file of a player's workspace with bugs `active` started at `started_at`.
pub fn workspace_files(
    sources: &Sources,
    challenge: &LoadedChallenge,
    active: &[String],
    started_at: DateTime<Utc>,
) -> Result<Files, GenerateError> {
    let mut files = platform_files(sources, challenge, active)?;
    let catalog = &challenge.catalog;
    let state = WorkspaceState {
        challenge: catalog.id.clone(),
        version: catalog.version.clone(),
        started_at,
        bugs: active.to_vec(),
        start_commit: None,
    };
    files.insert("README.md".to_owned(), player_readme(catalog).into_bytes());
    files.insert(".gitignore".to_owned(), GITIGNORE.as_bytes().to_vec());
    files.insert(STATE_FILE.to_owned(), state.to_json().into_bytes());
    Ok(files)
}

/// The `name` of a manifest's `[package]` section.
fn package_name(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package
            && let Some(value) = line.strip_prefix("name")
            && let Some(value) = value.trim_start().strip_prefix('=')
        {
            return Some(value.trim().trim_matches('"').to_owned());
        }
    }
    None
}
