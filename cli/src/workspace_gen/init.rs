//! `init`: generate a player's workspace on disk. The directory must be new or empty;
//! `--force` regenerates a directory, keeping only its `target/` (the build cache) and
//! refusing to touch a git repository that is not a MediaFlow workspace. Then git: a
//! repository on branch `main` with one commit, "challenge start", so history never
//! holds the fixed code. Before the commit, cargo settles the lock file (see
//! `settle_lock`) so a first build leaves the tree clean.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::error::GenerateError;
use super::generate::{Files, workspace_files};
use super::select::{Selection, select};
use super::sources::Sources;
use super::state::{STATE_FILE, WorkspaceState};

/// The message of the workspace's only commit.
pub const START_COMMIT: &str = "challenge start";

/// The author of the start commit when git has no `user.name`/`user.email` configured.
pub const FALLBACK_AUTHOR: (&str, &str) = ("mediaflow", "mediaflow@localhost");

/// What `init` is asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitOptions {
    /// Which bugs to plant.
    pub selection: Selection,
    /// Regenerate a non-empty directory.
    pub force: bool,
    /// The start time recorded in the state and the commit.
    pub started_at: DateTime<Utc>,
}

/// What `init` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitReport {
    /// The workspace directory.
    pub dir: PathBuf,
    /// The challenge id and version.
    pub challenge: String,
    /// How many bugs were planted (their ids are in the state file, not shown).
    pub bug_count: usize,
    /// How many files were written.
    pub file_count: usize,
    /// The start commit's id.
    pub commit: String,
}

/// Generates a workspace of `sources`' challenge in `dir`.
pub fn init(
    sources: &Sources,
    dir: &Path,
    options: &InitOptions,
) -> Result<InitReport, GenerateError> {
    let challenge = sources.challenge()?;
    let active = select(&challenge.catalog, &options.selection)?;
    let files = workspace_files(sources, &challenge, &active, options.started_at)?;
    prepare(dir, options.force)?;
    write_files(dir, &files)?;
    settle_lock(dir);
    let commit = commit_start(dir, options.started_at).map_err(|error| GenerateError::Git {
        dir: dir.to_owned(),
        message: error.message().to_owned(),
    })?;
    record_start_commit(dir, &files, commit)?;
    Ok(InitReport {
        dir: dir.to_owned(),
        challenge: format!("{} {}", challenge.catalog.id, challenge.catalog.version),
        bug_count: active.len(),
        file_count: files.len(),
        commit: commit.to_string(),
    })
}

/// Adds the start commit's id to the state file (git-ignored, so written after the
/// commit it names).
fn record_start_commit(dir: &Path, files: &Files, commit: git2::Oid) -> Result<(), GenerateError> {
    let Some(text) = files
        .get(STATE_FILE)
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
    else {
        return Ok(());
    };
    let Ok(mut state) = WorkspaceState::from_json(text) else {
        return Ok(());
    };
    state.start_commit = Some(commit.to_string());
    let path = dir.join(STATE_FILE);
    std::fs::write(&path, state.to_json()).map_err(GenerateError::write(path))
}

/// Makes `dir` an empty directory (but for `target/` when forced), or refuses.
fn prepare(dir: &Path, force: bool) -> Result<(), GenerateError> {
    if dir.is_file() {
        return Err(GenerateError::NotADirectory {
            dir: dir.to_owned(),
        });
    }
    if !dir.exists() {
        return std::fs::create_dir_all(dir).map_err(GenerateError::write(dir));
    }
    let entries: Vec<_> = std::fs::read_dir(dir)
        .and_then(Iterator::collect)
        .map_err(GenerateError::write(dir))?;
    if entries.is_empty() {
        return Ok(());
    }
    if !force {
        return Err(GenerateError::NotEmpty {
            dir: dir.to_owned(),
        });
    }
    if dir.join(".git").exists() && !dir.join(STATE_FILE).is_file() {
        return Err(GenerateError::ForeignRepository {
            dir: dir.to_owned(),
        });
    }
    for entry in entries {
        if entry.file_name() == "target" {
            continue;
        }
        let path = entry.path();
        let removed = if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        removed.map_err(GenerateError::write(path))?;
    }
    Ok(())
}

/// Writes every file below `dir`; also used to materialise workspaces for verification.
pub fn write_files(dir: &Path, files: &Files) -> Result<(), GenerateError> {
    for (path, content) in files {
        let target = path
            .split('/')
            .fold(dir.to_owned(), |at, part| at.join(part));
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(GenerateError::write(parent))?;
        }
        std::fs::write(&target, content).map_err(GenerateError::write(&target))?;
    }
    Ok(())
}

/// Lets cargo write the lock file it wants for the workspace before it is committed:
/// the pruned lock keeps edges that only the runner's dependencies' features needed, and
/// cargo would otherwise rewrite it on the player's first build. Full resolution needs
/// the crates in the local cache (as an offline build does); without them, resolving the
/// workspace alone still drops what it can. Without cargo the pruned lock stays, and
/// cargo fixes it on the first build, which is harmless.
fn settle_lock(dir: &Path) {
    let metadata = |extra: &[&str]| {
        std::process::Command::new("cargo")
            .args(["metadata", "--offline", "--format-version", "1"])
            .args(extra)
            .current_dir(dir)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    };
    if !metadata(&[]) {
        metadata(&["--no-deps"]);
    }
}

/// `git init -b main`, add everything not ignored, one commit.
fn commit_start(dir: &Path, at: DateTime<Utc>) -> Result<git2::Oid, git2::Error> {
    let mut options = git2::RepositoryInitOptions::new();
    options.initial_head("main");
    let repo = git2::Repository::init_opts(dir, &options)?;
    let mut index = repo.index()?;
    index.add_all(["*"], git2::IndexAddOption::DEFAULT, None)?;
    index.write()?;
    let tree = repo.find_tree(index.write_tree()?)?;
    let time = git2::Time::new(at.timestamp(), 0);
    let configured = repo.signature().ok();
    let (name, email) = configured
        .as_ref()
        .and_then(|s| Some((s.name().ok()?, s.email().ok()?)))
        .unwrap_or(FALLBACK_AUTHOR);
    let signature = git2::Signature::new(name, email, &time)?;
    repo.commit(
        Some("HEAD"),
        &signature,
        &signature,
        START_COMMIT,
        &tree,
        &[],
    )
}
