//! Keeping bug patches current: `record` turns an edited reference into a bug's patch
//! (and restores the reference), `refresh` rewrites every patch against the current
//! reference, `check` proves each patch applies alone and all apply together.

mod check;
mod error;
mod record;
mod refresh;

use std::path::{Path, PathBuf};

use crate::challenge::catalog::{self, Bug, CATALOG_FILE, Catalog};
use crate::challenge::patch::{self, Patch};

pub use check::{BugCheck, CheckReport, check};
pub use error::AuthoringError;
pub use record::{RecordReport, record};
pub use refresh::{RefreshOutcome, RefreshReport, refresh};

/// The only part of the tree bugs may change: platform logic, never tests or tooling.
pub const BUG_SCOPE: &str = "platform";

/// The challenge folder relative to the repository root, unless `--challenge` says else.
pub const DEFAULT_CHALLENGE_DIR: &str = "challenges/mediaflow";

/// A challenge folder with its validated catalog.
#[derive(Debug, Clone)]
pub struct Challenge {
    /// The folder holding `challenge.yaml` and `bugs/`.
    pub dir: PathBuf,
    /// The catalog.
    pub catalog: Catalog,
}

impl Challenge {
    /// Loads and validates `dir/challenge.yaml`.
    pub fn load(dir: &Path) -> Result<Self, AuthoringError> {
        let catalog = catalog::load(&dir.join(CATALOG_FILE))?;
        Ok(Self {
            dir: dir.to_owned(),
            catalog,
        })
    }

    /// The bug `id`, or an error listing the known ones.
    pub fn bug(&self, id: &str) -> Result<&Bug, AuthoringError> {
        self.catalog
            .bug(id)
            .ok_or_else(|| AuthoringError::UnknownBug {
                id: id.to_owned(),
                known: self
                    .catalog
                    .bugs
                    .iter()
                    .map(|bug| bug.id.to_string())
                    .collect(),
            })
    }

    /// Where `bug`'s patch lives on disk.
    pub fn patch_path(&self, bug: &Bug) -> PathBuf {
        bug.patch
            .split('/')
            .fold(self.dir.clone(), |path, part| path.join(part))
    }

    /// Reads and parses `bug`'s patch and checks it stays inside [`BUG_SCOPE`].
    pub fn read_patch(&self, bug: &Bug) -> Result<(String, Patch), AuthoringError> {
        let path = self.patch_path(bug);
        let text = std::fs::read_to_string(&path).map_err(|source| AuthoringError::Io {
            path: path.clone(),
            source,
        })?;
        let parsed = patch::parse(&text).map_err(|error| AuthoringError::PatchSyntax {
            bug: bug.id.to_string(),
            path: path.clone(),
            error,
        })?;
        if let Some(outside) = parsed.files.iter().find(|f| !f.path.is_within(BUG_SCOPE)) {
            return Err(AuthoringError::OutOfScope {
                bug: bug.id.to_string(),
                file: outside.path.to_string(),
            });
        }
        Ok((text, parsed))
    }
}
