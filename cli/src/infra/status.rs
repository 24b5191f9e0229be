//! What runs for the workspace: per service image, state, health, published ports and
//! uptime, from the engine's view of the project's containers.

use std::collections::BTreeMap;

use bollard::models::ContainerInspectResponse;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::engine::{Engine, EngineError};
use super::project::{Project, labels};
use super::spec::Spec;

/// A port published on the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedPort {
    /// The port inside the container.
    pub container: u16,
    /// The host address (127.0.0.1 for what `up` creates).
    pub host_ip: String,
    /// The host port.
    pub host: u16,
}

/// One service's status; services of the spec without a container have state `absent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceStatus {
    /// The service name (from the container label, or the spec).
    pub service: String,
    /// Whether the service is in the spec (a container of a removed service is not).
    pub in_spec: bool,
    /// Container name, when one exists.
    pub container: Option<String>,
    /// Container id, when one exists.
    pub id: Option<String>,
    /// The image reference the container runs (or the spec's, when absent).
    pub image: String,
    /// `running`, `exited`, `created`, … or `absent`.
    pub state: String,
    /// `healthy`, `unhealthy`, `starting`, or none.
    pub health: Option<String>,
    /// Ports published on the host.
    pub ports: Vec<PublishedPort>,
    /// When the container last started (RFC 3339), while running.
    pub started_at: Option<String>,
    /// Seconds since it started, while running.
    pub uptime_seconds: Option<u64>,
}

/// The whole status answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusReport {
    /// The workspace root.
    pub workspace: String,
    /// The project id (value of the `io.mediaflow.project` label).
    pub project: String,
    /// The project network, when it exists.
    pub network: Option<String>,
    /// Services in name order.
    pub services: Vec<ServiceStatus>,
}

/// Host ports by container port from an inspection (tcp only, 0 ports skipped).
pub fn published_ports(inspect: &ContainerInspectResponse) -> Vec<PublishedPort> {
    let mut ports: Vec<PublishedPort> = inspect
        .network_settings
        .as_ref()
        .and_then(|settings| settings.ports.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|(key, bindings)| {
            let container = key.strip_suffix("/tcp")?.parse::<u16>().ok()?;
            Some((container, bindings.as_ref()?))
        })
        .flat_map(|(container, bindings)| {
            bindings.iter().filter_map(move |binding| {
                let host = binding.host_port.as_deref()?.parse::<u16>().ok()?;
                (host != 0).then(|| PublishedPort {
                    container,
                    host_ip: binding.host_ip.clone().unwrap_or_default(),
                    host,
                })
            })
        })
        .collect();
    ports.sort_by(|a, b| (a.container, &a.host_ip).cmp(&(b.container, &b.host_ip)));
    ports
}

/// The container-port → host-port map settings templates are rendered with.
pub fn port_map(ports: &[PublishedPort]) -> BTreeMap<u16, u16> {
    ports
        .iter()
        .map(|port| (port.container, port.host))
        .collect()
}

/// Builds a service's status from an inspection; `now` makes uptime testable.
pub fn from_inspect(
    service: &str,
    in_spec: bool,
    inspect: &ContainerInspectResponse,
    now: DateTime<Utc>,
) -> ServiceStatus {
    let state = inspect.state.as_ref();
    let running = state.and_then(|s| s.running).unwrap_or(false);
    let started_at = state.and_then(|s| s.started_at.clone()).filter(|_| running);
    let uptime_seconds = started_at
        .as_deref()
        .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
        .and_then(|started| {
            u64::try_from((now - started.with_timezone(&Utc)).num_seconds().max(0)).ok()
        });
    ServiceStatus {
        service: service.to_owned(),
        in_spec,
        container: inspect
            .name
            .as_deref()
            .map(|name| name.trim_start_matches('/').to_owned()),
        id: inspect.id.clone(),
        image: inspect
            .config
            .as_ref()
            .and_then(|config| config.image.clone())
            .unwrap_or_default(),
        state: state
            .and_then(|s| s.status)
            .map_or_else(|| "unknown".to_owned(), |status| status.to_string()),
        health: state
            .and_then(|s| s.health.as_ref())
            .and_then(|h| h.status)
            .map(|status| status.to_string())
            .filter(|status| !status.is_empty() && status != "none"),
        ports: published_ports(inspect),
        started_at,
        uptime_seconds,
    }
}

/// Collects the status of every container of the project plus the spec's services that
/// have none (`spec` is optional so status works even when the spec does not parse).
pub async fn collect(
    engine: &Engine,
    project: &Project,
    spec: Option<&Spec>,
    now: DateTime<Utc>,
) -> Result<StatusReport, EngineError> {
    let mut services = BTreeMap::new();
    for container in engine.project_containers(project).await? {
        let inspect = engine.inspect(&container.id).await?;
        let service = inspect
            .config
            .as_ref()
            .and_then(|config| config.labels.as_ref())
            .and_then(|labels| labels.get(labels::SERVICE).cloned())
            .unwrap_or_else(|| container.name.clone());
        let in_spec = spec.is_some_and(|spec| spec.service(&service).is_some());
        services.insert(
            service.clone(),
            from_inspect(&service, in_spec, &inspect, now),
        );
    }
    if let Some(spec) = spec {
        for (name, service) in &spec.services {
            services
                .entry(name.to_string())
                .or_insert_with(|| ServiceStatus {
                    service: name.to_string(),
                    in_spec: true,
                    container: None,
                    id: None,
                    image: service.image.canonical(),
                    state: "absent".to_owned(),
                    health: None,
                    ports: Vec::new(),
                    started_at: None,
                    uptime_seconds: None,
                });
        }
    }
    let network_name = project.network_name();
    let network = engine
        .project_networks(project)
        .await?
        .into_iter()
        .any(|(_, name)| name == network_name)
        .then_some(network_name);
    Ok(StatusReport {
        workspace: project.workspace().display().to_string(),
        project: project.id().to_owned(),
        network,
        services: services.into_values().collect(),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use bollard::models::{
        ContainerConfig, ContainerState, ContainerStateStatusEnum, Health, HealthStatusEnum,
        NetworkSettings, PortBinding,
    };

    use super::*;

    #[test]
    fn a_running_container_reports_image_health_ports_and_uptime() {
        let inspect = ContainerInspectResponse {
            id: Some("abc".to_owned()),
            name: Some("/mediaflow-1-redis".to_owned()),
            config: Some(ContainerConfig {
                image: Some("redis:7".to_owned()),
                ..ContainerConfig::default()
            }),
            state: Some(ContainerState {
                status: Some(ContainerStateStatusEnum::RUNNING),
                running: Some(true),
                started_at: Some("2026-11-28T10:00:00.123456789Z".to_owned()),
                health: Some(Health {
                    status: Some(HealthStatusEnum::HEALTHY),
                    ..Health::default()
                }),
                ..ContainerState::default()
            }),
            network_settings: Some(NetworkSettings {
                ports: Some(HashMap::from([(
                    "6379/tcp".to_owned(),
                    Some(vec![PortBinding {
                        host_ip: Some("127.0.0.1".to_owned()),
                        host_port: Some("32771".to_owned()),
                    }]),
                )])),
                ..NetworkSettings::default()
            }),
            ..ContainerInspectResponse::default()
        };
        let now = DateTime::parse_from_rfc3339("2026-11-28T10:01:30Z")
            .expect("valid time")
            .with_timezone(&Utc);
        let status = from_inspect("redis", true, &inspect, now);
        assert_eq!(status.container.as_deref(), Some("mediaflow-1-redis"));
        assert_eq!(status.image, "redis:7");
        assert_eq!(status.state, "running");
        assert_eq!(status.health.as_deref(), Some("healthy"));
        assert_eq!(
            status.ports,
            vec![PublishedPort {
                container: 6379,
                host_ip: "127.0.0.1".to_owned(),
                host: 32771
            }]
        );
        assert_eq!(
            status.uptime_seconds,
            Some(89),
            "uptime counts whole seconds since start"
        );
    }

    #[test]
    fn a_stopped_container_has_no_uptime() {
        let inspect = ContainerInspectResponse {
            state: Some(ContainerState {
                status: Some(ContainerStateStatusEnum::EXITED),
                running: Some(false),
                started_at: Some("2026-11-28T10:00:00Z".to_owned()),
                ..ContainerState::default()
            }),
            ..ContainerInspectResponse::default()
        };
        let status = from_inspect("redis", true, &inspect, Utc::now());
        assert_eq!(status.state, "exited");
        assert_eq!(status.uptime_seconds, None);
        assert_eq!(status.started_at, None);
    }
}
