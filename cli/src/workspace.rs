//! The workspace: the directory the commands act on, found by walking up from the
//! current directory to one holding `infrastructure/infra.yaml` or a `.mediaflow/`
//! folder (or given with `--workspace`), and where its files live.

use std::path::{Path, PathBuf};

use crate::infra::{CONFIG_PATH, Project, SETTINGS_PATH, SPEC_PATH};

/// The folder of the workspace's own state and settings.
pub const STATE_DIR: &str = ".mediaflow";

/// The workspace could not be determined.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// No directory from `start` upwards looks like a workspace.
    #[error(
        "no MediaFlow workspace at or above {} (looked for {SPEC_PATH} or {STATE_DIR}/); run the command inside one or pass --workspace DIR",
        start.display()
    )]
    NotFound {
        /// Where the search began.
        start: PathBuf,
    },
    /// `--workspace` names something that is not a directory.
    #[error("--workspace {}: {source}; pass an existing directory", dir.display())]
    Unusable {
        /// The directory given.
        dir: PathBuf,
        /// Why it cannot be used.
        source: std::io::Error,
    },
}

/// A workspace root (canonical, so the project id is stable however it was reached).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// The canonical root directory.
    root: PathBuf,
}

impl Workspace {
    /// Walks up from `start` to the first directory holding the spec or `.mediaflow/`.
    pub fn discover(start: &Path) -> Result<Self, WorkspaceError> {
        let not_found = || WorkspaceError::NotFound {
            start: start.to_owned(),
        };
        let start_canonical = start.canonicalize().map_err(|_| not_found())?;
        start_canonical
            .ancestors()
            .find(|dir| dir.join(SPEC_PATH).is_file() || dir.join(STATE_DIR).is_dir())
            .map(|dir| Self {
                root: dir.to_owned(),
            })
            .ok_or_else(not_found)
    }

    /// Uses `dir` (relative to `current_dir`) as the workspace, as `--workspace` does.
    pub fn at(dir: &Path, current_dir: &Path) -> Result<Self, WorkspaceError> {
        let joined = current_dir.join(dir);
        let unusable = |source| WorkspaceError::Unusable {
            dir: dir.to_owned(),
            source,
        };
        let root = joined.canonicalize().map_err(unusable)?;
        if !root.is_dir() {
            return Err(unusable(std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                "not a directory",
            )));
        }
        Ok(Self { root })
    }

    /// `--workspace` when given, else discovery from the current directory.
    pub fn resolve(explicit: Option<&Path>, current_dir: &Path) -> Result<Self, WorkspaceError> {
        match explicit {
            Some(dir) => Self::at(dir, current_dir),
            None => Self::discover(current_dir),
        }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `infrastructure/infra.yaml`.
    pub fn spec_path(&self) -> PathBuf {
        self.root.join(SPEC_PATH)
    }

    /// `.mediaflow/config.yaml`.
    pub fn config_path(&self) -> PathBuf {
        self.root.join(CONFIG_PATH)
    }

    /// `.mediaflow/infra.env`.
    pub fn settings_path(&self) -> PathBuf {
        self.root.join(SETTINGS_PATH)
    }

    /// The workspace's identity on the Docker engine.
    pub fn project(&self) -> Project {
        Project::for_workspace(&self.root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_walks_up_to_the_directory_holding_the_spec() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().canonicalize().expect("canonical");
        std::fs::create_dir_all(root.join("infrastructure")).expect("mkdir");
        std::fs::write(root.join(SPEC_PATH), "format_version: 1\n").expect("write");
        let nested = root.join("platform/services/auth");
        std::fs::create_dir_all(&nested).expect("mkdir");
        let found = Workspace::discover(&nested).expect("found above");
        assert_eq!(found.root(), root);
    }

    #[test]
    fn a_mediaflow_folder_also_marks_a_workspace() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().canonicalize().expect("canonical");
        std::fs::create_dir_all(root.join(".mediaflow")).expect("mkdir");
        assert_eq!(Workspace::discover(&root).expect("found").root(), root);
    }

    #[test]
    fn without_a_marker_discovery_says_how_to_fix_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let error = Workspace::discover(dir.path()).expect_err("no marker");
        assert!(
            error.to_string().contains("pass --workspace DIR"),
            "got: {error}"
        );
    }

    #[test]
    fn the_same_workspace_reached_two_ways_is_one_project() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("a/.mediaflow")).expect("mkdir");
        let direct = Workspace::at(&dir.path().join("a"), Path::new("/")).expect("exists");
        let relative = Workspace::at(Path::new("a/../a"), dir.path()).expect("exists");
        assert_eq!(direct.project(), relative.project());
    }
}
