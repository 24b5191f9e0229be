//! A challenge workspace as the runner sees it: its root, its state file, and the
//! challenge (catalog and bugs) the tool carries for it.

use std::path::{Path, PathBuf};

use crate::challenge::catalog::{Bug, Catalog, Category};
use crate::workspace::STATE_DIR;
use crate::workspace_gen::{LoadedChallenge, STATE_FILE, Sources, WorkspaceState};

use super::error::PlayError;

/// A player's workspace.
#[derive(Debug, Clone)]
pub struct PlayerWorkspace {
    root: PathBuf,
    /// The state `init` wrote.
    pub state: WorkspaceState,
    /// The challenge it is an instance of.
    pub challenge: LoadedChallenge,
}

impl PlayerWorkspace {
    /// Opens the workspace at `root` for the challenge carried by `sources`.
    pub fn open(root: &Path, sources: &Sources) -> Result<Self, PlayError> {
        let path = root.join(STATE_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(PlayError::NotAWorkspace {
                    root: root.to_owned(),
                });
            }
            Err(error) => return Err(PlayError::io("cannot read", &path)(error)),
        };
        let state = WorkspaceState::from_json(&text).map_err(|error| PlayError::CorruptState {
            path: path.clone(),
            message: error.to_string(),
        })?;
        let challenge = sources.challenge()?;
        let catalog = &challenge.catalog;
        if state.challenge != catalog.id || state.version != catalog.version {
            return Err(PlayError::OtherChallenge {
                workspace: format!("{} {}", state.challenge, state.version),
                tool: format!("{} {}", catalog.id, catalog.version),
            });
        }
        if let Some(unknown) = state.bugs.iter().find(|id| catalog.bug(id).is_none()) {
            return Err(PlayError::CorruptState {
                path,
                message: format!("it names bug `{unknown}`, which this challenge does not have"),
            });
        }
        Ok(Self {
            root: root.to_owned(),
            state,
            challenge,
        })
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `.mediaflow/`, where the runner keeps its files.
    pub fn state_dir(&self) -> PathBuf {
        self.root.join(STATE_DIR)
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.challenge.catalog
    }

    /// The categories, in catalog order.
    pub fn categories(&self) -> &[Category] {
        &self.challenge.catalog.categories
    }

    /// The bugs planted in this workspace, in catalog order.
    pub fn active_bugs(&self) -> impl Iterator<Item = &Bug> {
        self.catalog()
            .bugs
            .iter()
            .filter(|bug| self.state.bugs.iter().any(|id| id == bug.id.as_str()))
    }

    /// The categories named (all when `names` is empty), in catalog order.
    pub fn select_categories(&self, names: &[String]) -> Result<Vec<Category>, PlayError> {
        if let Some(unknown) = names
            .iter()
            .find(|name| !self.categories().iter().any(|c| &c.name == *name))
        {
            return Err(PlayError::UnknownCategory {
                name: unknown.clone(),
                known: self
                    .categories()
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        Ok(self
            .categories()
            .iter()
            .filter(|c| names.is_empty() || names.contains(&c.name))
            .cloned()
            .collect())
    }
}
