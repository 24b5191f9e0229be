//! The project's network and named volumes, found and removed by label.

use std::collections::HashMap;

use bollard::models::{NetworkCreateRequest, VolumeCreateRequest};
use bollard::query_parameters::{
    ListNetworksOptionsBuilder, ListVolumesOptionsBuilder, RemoveVolumeOptions,
};

use super::super::project::Project;
use super::{Engine, EngineError, is_not_found};

impl Engine {
    /// Creates the project network unless it exists; `true` when created.
    pub async fn ensure_network(&self, project: &Project) -> Result<bool, EngineError> {
        let name = project.network_name();
        let existing = self.project_networks(project).await?;
        if existing.iter().any(|(_, n)| *n == name) {
            return Ok(false);
        }
        let request = NetworkCreateRequest {
            name: name.clone(),
            driver: Some("bridge".to_owned()),
            labels: Some(project.base_labels()),
            ..NetworkCreateRequest::default()
        };
        self.docker
            .create_network(request)
            .await
            .map_err(EngineError::api(format!("create network {name}")))?;
        Ok(true)
    }

    /// The project's networks as `(id, name)`, selected by label.
    pub async fn project_networks(
        &self,
        project: &Project,
    ) -> Result<Vec<(String, String)>, EngineError> {
        let options = ListNetworksOptionsBuilder::new()
            .filters(&project.label_filter())
            .build();
        let networks = self
            .docker
            .list_networks(Some(options))
            .await
            .map_err(EngineError::api("list networks"))?;
        Ok(networks
            .into_iter()
            .filter_map(|network| Some((network.id?, network.name?)))
            .collect())
    }

    /// Removes a network by id; an already removed one is fine.
    pub async fn remove_network(&self, id: &str) -> Result<(), EngineError> {
        match self.docker.remove_network(id).await {
            Err(error) if !is_not_found(&error) => {
                Err(EngineError::api(format!("remove network {id}"))(error))
            }
            _ => Ok(()),
        }
    }

    /// Creates a labelled named volume unless it exists; `true` when created. Created
    /// explicitly (not implicitly by the mount) so `down --volumes` finds it by label.
    pub async fn ensure_volume(
        &self,
        name: &str,
        labels: HashMap<String, String>,
    ) -> Result<bool, EngineError> {
        match self.docker.inspect_volume(name).await {
            Ok(_) => return Ok(false),
            Err(error) if !is_not_found(&error) => {
                return Err(EngineError::api(format!("inspect volume {name}"))(error));
            }
            Err(_) => {}
        }
        let request = VolumeCreateRequest {
            name: Some(name.to_owned()),
            labels: Some(labels),
            ..VolumeCreateRequest::default()
        };
        self.docker
            .create_volume(request)
            .await
            .map_err(EngineError::api(format!("create volume {name}")))?;
        Ok(true)
    }

    /// The project's volume names, selected by label.
    pub async fn project_volumes(&self, project: &Project) -> Result<Vec<String>, EngineError> {
        let options = ListVolumesOptionsBuilder::new()
            .filters(&project.label_filter())
            .build();
        let listing = self
            .docker
            .list_volumes(Some(options))
            .await
            .map_err(EngineError::api("list volumes"))?;
        Ok(listing
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|volume| volume.name)
            .collect())
    }

    /// Removes a volume by name; an already removed one is fine.
    pub async fn remove_volume(&self, name: &str) -> Result<(), EngineError> {
        match self
            .docker
            .remove_volume(name, None::<RemoveVolumeOptions>)
            .await
        {
            Err(error) if !is_not_found(&error) => {
                Err(EngineError::api(format!("remove volume {name}"))(error))
            }
            _ => Ok(()),
        }
    }
}
