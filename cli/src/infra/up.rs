//! `up`: reconcile the project's network, images, volumes and containers with the spec,
//! wait for every health check in parallel, then write the connection settings.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::future::join_all;
use tokio::time::Instant;

use super::container::{DesiredContainer, desired_container};
use super::engine::{Engine, EngineError};
use super::events::{ContainerAction, EventSink, InfraEvent};
use super::health::{HealthOutcome, wait_healthy};
use super::plan::{Step, Wanted, plan};
use super::project::{Project, labels};
use super::settings::{self, SettingsError};
use super::spec::{ServiceName, Spec};
use super::status::{port_map, published_ports};

/// How long a replaced or removed container gets to shut down cleanly.
pub const STOP_GRACE: Duration = Duration::from_secs(10);

/// Log lines shown for a service that failed its health check.
pub const FAILED_LOG_LINES: usize = 20;

/// `up` could not finish its work (as opposed to a service failing its health check,
/// which is reported in [`UpReport::failed`]).
#[derive(Debug, thiserror::Error)]
pub enum UpError {
    /// The engine refused or failed an operation.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The settings could not be rendered or written.
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

/// A service brought up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceReport {
    /// The service.
    pub service: ServiceName,
    /// What happened to its container.
    pub action: ContainerAction,
    /// Its container id.
    pub container_id: String,
    /// How waiting for health ended.
    pub outcome: HealthOutcome,
}

/// A service that did not become healthy; the rest are left running to inspect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedService {
    /// The service.
    pub service: ServiceName,
    /// Its container name, for `docker` commands.
    pub container: String,
    /// One line on why.
    pub reason: String,
    /// Its last log lines.
    pub last_logs: Vec<String>,
}

/// The settings file `up` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsWritten {
    /// The file.
    pub path: PathBuf,
    /// `false` when it already held exactly these values.
    pub changed: bool,
    /// The values, by name.
    pub values: BTreeMap<String, String>,
}

/// What `up` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpReport {
    /// Whether the project network had to be created.
    pub network_created: bool,
    /// Images pulled because they were missing.
    pub pulled: Vec<String>,
    /// Containers removed (service left the spec, or duplicates).
    pub removed: Vec<String>,
    /// Every selected service, in name order.
    pub services: Vec<ServiceReport>,
    /// Services that did not become healthy.
    pub failed: Vec<FailedService>,
    /// The settings file, written only when every selected service is healthy.
    pub settings: Option<SettingsWritten>,
    /// Wall time of the whole `up`.
    pub elapsed: Duration,
}

/// Brings up `selection` (every service of the spec when empty) for the project.
pub async fn up(
    engine: &Engine,
    project: &Project,
    spec: &Spec,
    selection: &[ServiceName],
    settings_path: &Path,
    events: &dyn EventSink,
) -> Result<UpReport, UpError> {
    let started = Instant::now();
    let selected: Vec<ServiceName> = if selection.is_empty() {
        spec.services.keys().cloned().collect()
    } else {
        let unique: BTreeSet<ServiceName> = selection.iter().cloned().collect();
        unique.into_iter().collect()
    };

    let network_created = engine.ensure_network(project).await?;
    if network_created {
        events.emit(InfraEvent::NetworkCreated {
            name: project.network_name(),
        });
    }

    let mut pulled = Vec::new();
    let mut desired = BTreeMap::new();
    for service in &selected {
        let service_spec = &spec.services[service];
        let image_id = ensure_image(engine, service, service_spec, events, &mut pulled).await?;
        desired.insert(
            service.clone(),
            desired_container(project, service, service_spec, &image_id),
        );
    }

    let wanted: Vec<Wanted> = desired
        .values()
        .map(|d| Wanted {
            service: d.service.clone(),
            name: d.name.clone(),
            config_hash: d.config_hash.clone(),
        })
        .collect();
    let in_spec: BTreeSet<String> = spec.services.keys().map(ToString::to_string).collect();
    let observed = engine.project_containers(project).await?;
    let mut removed = Vec::new();
    let mut running = BTreeMap::new();
    for step in plan(&wanted, &in_spec, &observed) {
        let (service, action, id) = match step {
            Step::Remove { id, name, .. } => {
                engine.stop_and_remove(&id, &name, STOP_GRACE).await?;
                events.emit(InfraEvent::Removed { name: name.clone() });
                removed.push(name);
                continue;
            }
            Step::Keep { service, id } => (service, ContainerAction::Unchanged, id),
            Step::Start { service, id } => {
                engine.start(&id, &project.container_name(&service)).await?;
                (service, ContainerAction::Started, id)
            }
            Step::Create { service } => {
                let id = create(engine, project, &desired[&service]).await?;
                (service, ContainerAction::Created, id)
            }
            Step::Recreate { service, old_id } => {
                let name = project.container_name(&service);
                engine.stop_and_remove(&old_id, &name, STOP_GRACE).await?;
                let id = create(engine, project, &desired[&service]).await?;
                (service, ContainerAction::Recreated, id)
            }
        };
        events.emit(InfraEvent::Container {
            service: service.clone(),
            action,
        });
        running.insert(service, (action, id));
    }

    let waits = running.iter().map(|(service, (_, id))| {
        let check = &spec.services[service].healthcheck;
        wait_healthy(engine, service, id, check, events)
    });
    let outcomes = join_all(waits).await;

    let mut services = Vec::new();
    let mut failed = Vec::new();
    for ((service, (action, id)), outcome) in running.into_iter().zip(outcomes) {
        let outcome = outcome?;
        if !outcome.is_healthy() {
            failed.push(FailedService {
                service: service.clone(),
                container: project.container_name(&service),
                reason: outcome.reason(),
                last_logs: engine.log_tail(&id, FAILED_LOG_LINES).await?,
            });
        }
        services.push(ServiceReport {
            service,
            action,
            container_id: id,
            outcome,
        });
    }

    let settings = if failed.is_empty() {
        Some(write_settings(engine, project, spec, settings_path).await?)
    } else {
        None
    };
    Ok(UpReport {
        network_created,
        pulled,
        removed,
        services,
        failed,
        settings,
        elapsed: started.elapsed(),
    })
}

/// The local image id, pulling the image first when (and only when) it is absent.
async fn ensure_image(
    engine: &Engine,
    service: &ServiceName,
    spec: &super::spec::ServiceSpec,
    events: &dyn EventSink,
    pulled: &mut Vec<String>,
) -> Result<String, EngineError> {
    if let Some(id) = engine.image_id(&spec.image).await? {
        return Ok(id);
    }
    events.emit(InfraEvent::PullStarted {
        service: service.clone(),
        image: spec.image.clone(),
    });
    engine
        .pull(service, &spec.image, |layer| {
            events.emit(InfraEvent::PullLayer {
                service: service.clone(),
                layer: layer.layer,
                status: layer.status,
                current: layer.current,
                total: layer.total,
            });
        })
        .await?;
    events.emit(InfraEvent::PullFinished {
        service: service.clone(),
        image: spec.image.clone(),
    });
    pulled.push(spec.image.canonical());
    engine
        .image_id(&spec.image)
        .await?
        .ok_or_else(|| EngineError::MissingAfterPull {
            image: spec.image.clone(),
        })
}

/// Ensures the container's volumes (labelled, so `down --volumes` finds them), then
/// creates and starts it.
async fn create(
    engine: &Engine,
    project: &Project,
    desired: &DesiredContainer,
) -> Result<String, EngineError> {
    for (engine_name, spec_name) in &desired.volumes {
        let mut volume_labels = project.base_labels();
        volume_labels.insert(labels::VOLUME.to_owned(), spec_name.clone());
        engine.ensure_volume(engine_name, volume_labels).await?;
    }
    engine.create_and_start(desired).await
}

/// Renders settings for every running service of the spec (selected now or earlier)
/// and writes the file when its content changed.
async fn write_settings(
    engine: &Engine,
    project: &Project,
    spec: &Spec,
    path: &Path,
) -> Result<SettingsWritten, UpError> {
    let mut published = BTreeMap::new();
    for container in engine.project_containers(project).await? {
        let Some(service) = container.service.as_deref().and_then(|s| spec.service(s)) else {
            continue;
        };
        let inspect = engine.inspect(&container.id).await?;
        if inspect.state.as_ref().and_then(|s| s.running) == Some(true) {
            published.insert(service.0.clone(), port_map(&published_ports(&inspect)));
        }
    }
    let values = settings::render(spec, &published)?;
    let changed = settings::write_atomically(path, &settings::env_file(project, &values))?;
    Ok(SettingsWritten {
        path: path.to_owned(),
        changed,
        values,
    })
}
