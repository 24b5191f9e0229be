//! `down`: remove exactly what `up` created for the workspace, found by the project
//! label — containers, the network, with `volumes` the named volumes — and the settings
//! file. Nothing without the label is touched.

use std::path::Path;

use futures_util::future::join_all;

use super::engine::{Engine, EngineError};
use super::project::Project;
use super::settings::{self, SettingsError};
use super::up::STOP_GRACE;

/// `down` could not finish.
#[derive(Debug, thiserror::Error)]
pub enum DownError {
    /// The engine refused or failed an operation.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The settings file could not be removed.
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

/// What `down` removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DownReport {
    /// Container names.
    pub containers: Vec<String>,
    /// Network names.
    pub networks: Vec<String>,
    /// Volume names (only with `volumes`).
    pub volumes: Vec<String>,
    /// Whether the settings file existed and was removed.
    pub settings_removed: bool,
}

/// Stops and removes the project's containers (in parallel), its networks, and with
/// `volumes` its volumes; then removes the settings file, whose URLs no longer work.
pub async fn down(
    engine: &Engine,
    project: &Project,
    volumes: bool,
    settings_path: &Path,
) -> Result<DownReport, DownError> {
    let containers = engine.project_containers(project).await?;
    let removals = containers
        .iter()
        .map(|container| engine.stop_and_remove(&container.id, &container.name, STOP_GRACE));
    for result in join_all(removals).await {
        result?;
    }
    let mut report = DownReport {
        containers: containers.into_iter().map(|c| c.name).collect(),
        ..DownReport::default()
    };
    for (id, name) in engine.project_networks(project).await? {
        engine.remove_network(&id).await?;
        report.networks.push(name);
    }
    if volumes {
        for name in engine.project_volumes(project).await? {
            engine.remove_volume(&name).await?;
            report.volumes.push(name);
        }
    }
    report.settings_removed = settings::remove(settings_path)?;
    report.containers.sort();
    report.volumes.sort();
    Ok(report)
}
