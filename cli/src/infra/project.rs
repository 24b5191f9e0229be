//! The project: everything `up` creates for one workspace carries its id, derived from
//! the workspace's canonical path, so two workspaces never share or remove each other's
//! containers, network or volumes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::spec::{ServiceName, VolumeName};

/// Label keys put on every engine object `up` creates.
pub mod labels {
    /// The project id; `down` and `status` select by it.
    pub const PROJECT: &str = "io.mediaflow.project";
    /// The service a container runs.
    pub const SERVICE: &str = "io.mediaflow.service";
    /// sha256 of the normalised service spec + image id: unchanged hash → container kept.
    pub const CONFIG_HASH: &str = "io.mediaflow.config-hash";
    /// The workspace path, for people reading `docker ps`.
    pub const WORKSPACE: &str = "io.mediaflow.workspace";
    /// The volume's name in the spec.
    pub const VOLUME: &str = "io.mediaflow.volume";
}

/// Hex characters of the path hash kept in the id: 48 bits, so accidental collisions
/// between a person's workspaces are negligible while names stay readable.
const ID_LEN: usize = 12;

/// One workspace's identity on the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// `ID_LEN` hex characters of sha256(canonical workspace path).
    id: String,
    /// The canonical workspace path the id was derived from.
    workspace: PathBuf,
}

impl Project {
    /// Derives the project from a workspace root that is already canonical.
    pub fn for_workspace(canonical_root: &Path) -> Self {
        let digest = Sha256::digest(canonical_root.as_os_str().as_encoded_bytes());
        let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        Self {
            id: hex[..ID_LEN].to_owned(),
            workspace: canonical_root.to_owned(),
        }
    }

    /// The id used in names and in the project label.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The workspace root.
    pub fn workspace(&self) -> &Path {
        &self.workspace
    }

    /// The project's one network.
    pub fn network_name(&self) -> String {
        format!("mediaflow-{}", self.id)
    }

    /// The container name of a service.
    pub fn container_name(&self, service: &ServiceName) -> String {
        format!("mediaflow-{}-{service}", self.id)
    }

    /// The engine-wide name of a spec volume.
    pub fn volume_name(&self, volume: &VolumeName) -> String {
        format!("mediaflow-{}-{volume}", self.id)
    }

    /// `label=io.mediaflow.project=<id>`, the filter for everything of this project.
    pub fn label_filter(&self) -> HashMap<String, Vec<String>> {
        HashMap::from([(
            "label".to_owned(),
            vec![format!("{}={}", labels::PROJECT, self.id)],
        )])
    }

    /// The labels every object of the project carries.
    pub fn base_labels(&self) -> HashMap<String, String> {
        HashMap::from([
            (labels::PROJECT.to_owned(), self.id.clone()),
            (
                labels::WORKSPACE.to_owned(),
                self.workspace.display().to_string(),
            ),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_workspaces_get_different_ids_and_the_same_workspace_the_same() {
        let a = Project::for_workspace(Path::new("/home/ada/mediaflow"));
        let b = Project::for_workspace(Path::new("/home/ada/mediaflow-2"));
        assert_ne!(
            a.id(),
            b.id(),
            "two workspaces must never share a project id"
        );
        assert_eq!(
            a,
            Project::for_workspace(Path::new("/home/ada/mediaflow")),
            "the id must be stable across runs"
        );
        assert_eq!(a.id().len(), ID_LEN);
    }

    #[test]
    fn names_carry_the_project_id() {
        let project = Project::for_workspace(Path::new("/w"));
        let service = ServiceName::parse("postgres").expect("valid name");
        let id = project.id().to_owned();
        assert_eq!(
            project.container_name(&service),
            format!("mediaflow-{id}-postgres")
        );
        assert_eq!(project.network_name(), format!("mediaflow-{id}"));
        assert_eq!(
            project.label_filter()["label"],
            vec![format!("io.mediaflow.project={id}")]
        );
    }
}
