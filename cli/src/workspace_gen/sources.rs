//! The reference sources a workspace is generated from: embedded in the binary (the
//! normal case, so `init` works anywhere) or read from a checkout (author tools and
//! tests), plus the challenge among them: its catalog and its parsed bug patches.

use std::collections::BTreeMap;
use std::path::Path;

use crate::challenge::authoring::BUG_SCOPE;
use crate::challenge::catalog::{self, BUGS_DIR, Bug, CATALOG_FILE, Catalog};
use crate::challenge::patch::{self, Patch};

use super::archive::{self, CHALLENGE_ROOT};
use super::error::GenerateError;

/// The archive `build.rs` wrote from the repository this binary was built from.
static EMBEDDED: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/sources.bin"));

/// Source files by `/`-separated path relative to the repository root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    /// Contents by path, sorted.
    files: BTreeMap<String, Vec<u8>>,
}

/// A challenge ready to generate from: the validated catalog and each bug's patch.
#[derive(Debug, Clone)]
pub struct LoadedChallenge {
    /// The catalog.
    pub catalog: Catalog,
    /// Every bug with its parsed patch, in catalog order.
    pub patches: Vec<(Bug, Patch)>,
}

impl Sources {
    /// The sources embedded at build time.
    pub fn embedded() -> Result<Self, GenerateError> {
        archive::decode(EMBEDDED)
            .map(Self::from_entries)
            .ok_or(GenerateError::DamagedArchive)
    }

    /// The sources of the checkout at `repo`, selected as `build.rs` selects them.
    pub fn from_dir(repo: &Path) -> Result<Self, GenerateError> {
        archive::collect(repo)
            .map(Self::from_entries)
            .map_err(|source| GenerateError::ReadSources {
                repo: repo.to_owned(),
                source,
            })
    }

    /// Sources from `(path, content)` pairs.
    pub fn from_entries(entries: impl IntoIterator<Item = (String, Vec<u8>)>) -> Self {
        Self {
            files: entries.into_iter().collect(),
        }
    }

    /// The content of `path`.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// The content of `path` as text, or an error naming what is missing.
    pub fn text(&self, path: &str) -> Result<&str, GenerateError> {
        let bytes = self
            .get(path)
            .ok_or_else(|| GenerateError::MissingSource(path.to_owned()))?;
        std::str::from_utf8(bytes).map_err(|_| GenerateError::NotText(path.to_owned()))
    }

    /// Replaces (or adds) `path`; tests use it to plant a challenge of their own.
    pub fn insert(&mut self, path: impl Into<String>, content: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), content.into());
    }

    /// Removes every file of the challenge folder, to replace the challenge as a whole.
    pub fn clear_challenge(&mut self) {
        self.files
            .retain(|path, _| !path.starts_with(&format!("{CHALLENGE_ROOT}/")));
    }

    /// Every file, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files
            .iter()
            .map(|(path, content)| (path.as_str(), content.as_slice()))
    }

    /// The files copied into a workspace as they are or patched: everything but the
    /// challenge and the root manifest (which is derived, not copied).
    pub fn reference_files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.iter().filter(|(path, _)| {
            *path != "Cargo.toml" && !path.starts_with(&format!("{CHALLENGE_ROOT}/"))
        })
    }

    /// Parses and validates the challenge: catalog, then every bug's patch, which must
    /// stay inside `platform/`.
    pub fn challenge(&self) -> Result<LoadedChallenge, GenerateError> {
        let catalog_path = format!("{CHALLENGE_ROOT}/{CATALOG_FILE}");
        let catalog = catalog::parse(Path::new(&catalog_path), self.text(&catalog_path)?)?;
        let mut patches = Vec::with_capacity(catalog.bugs.len());
        for bug in &catalog.bugs {
            let id = bug.id.to_string();
            let path = format!("{CHALLENGE_ROOT}/{}", bug.patch);
            if !bug.patch.starts_with(&format!("{BUGS_DIR}/")) || self.get(&path).is_none() {
                return Err(GenerateError::MissingPatch {
                    bug: id,
                    patch: bug.patch.clone(),
                });
            }
            let parsed =
                patch::parse(self.text(&path)?).map_err(|error| GenerateError::PatchSyntax {
                    bug: id.clone(),
                    patch: bug.patch.clone(),
                    error,
                })?;
            if let Some(outside) = parsed.files.iter().find(|f| !f.path.is_within(BUG_SCOPE)) {
                return Err(GenerateError::OutOfScope {
                    bug: id,
                    file: outside.path.to_string(),
                });
            }
            patches.push((bug.clone(), parsed));
        }
        Ok(LoadedChallenge { catalog, patches })
    }
}
