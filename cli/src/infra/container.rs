//! What a service's container should look like (the exact create request) and its config
//! hash, the label that tells `up` whether an existing container still matches the spec.

use std::collections::HashMap;

use bollard::models::{
    ContainerCreateBody, EndpointSettings, HealthConfig, HostConfig, Mount, MountType,
    NetworkingConfig, PortBinding,
};
use sha2::{Digest, Sha256};

use super::project::{Project, labels};
use super::spec::{ServiceName, ServiceSpec};

/// The only host address ports are published on: the infrastructure is for this machine.
pub const PUBLISH_ADDRESS: &str = "127.0.0.1";

/// Version of the hash input; bump when the normalised form changes so every container
/// is recreated once rather than compared across incompatible forms.
const HASH_FORMAT: &str = "mediaflow-config-v1";

/// A container `up` wants, ready to send.
#[derive(Debug, Clone)]
pub struct DesiredContainer {
    /// The service it runs.
    pub service: ServiceName,
    /// Its container name.
    pub name: String,
    /// sha256 of the normalised spec + image id.
    pub config_hash: String,
    /// Engine-wide volume names it mounts, with their spec names.
    pub volumes: Vec<(String, String)>,
    /// The create request body.
    pub body: ContainerCreateBody,
}

/// The hash of everything that defines the container: spec (image reference, command,
/// environment, ports, health check, volumes) and the image id, so a re-tagged image
/// also counts as a change. Settings templates are excluded: they do not touch the
/// container.
pub fn config_hash(service: &ServiceName, spec: &ServiceSpec, image_id: &str) -> String {
    let check = &spec.healthcheck;
    let normalised = serde_json::json!({
        "format": HASH_FORMAT,
        "service": service.as_str(),
        "image": spec.image.canonical(),
        "image_id": image_id,
        "command": spec.command,
        "environment": spec.environment,
        "ports": spec.ports.iter().map(|p| [p.container, p.host]).collect::<Vec<_>>(),
        "healthcheck": {
            "command": check.command,
            "interval_ns": check.interval.as_nanos_i64(),
            "timeout_ns": check.timeout.as_nanos_i64(),
            "retries": check.retries,
            "start_period_ns": check.start_period.as_nanos_i64(),
        },
        "volumes": spec.volumes.iter().map(|v| [v.name.as_str(), v.path.as_str()]).collect::<Vec<_>>(),
    });
    let digest = Sha256::digest(normalised.to_string().as_bytes());
    digest.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Builds the create request for a service of the project.
pub fn desired_container(
    project: &Project,
    service: &ServiceName,
    spec: &ServiceSpec,
    image_id: &str,
) -> DesiredContainer {
    let config_hash = config_hash(service, spec, image_id);
    let mut container_labels = project.base_labels();
    container_labels.insert(labels::SERVICE.to_owned(), service.to_string());
    container_labels.insert(labels::CONFIG_HASH.to_owned(), config_hash.clone());

    let port_key = |port: u16| format!("{port}/tcp");
    let port_bindings: HashMap<String, Option<Vec<PortBinding>>> = spec
        .ports
        .iter()
        .map(|port| {
            let host_port = if port.host == 0 {
                String::new()
            } else {
                port.host.to_string()
            };
            let binding = PortBinding {
                host_ip: Some(PUBLISH_ADDRESS.to_owned()),
                host_port: Some(host_port),
            };
            (port_key(port.container), Some(vec![binding]))
        })
        .collect();
    let volumes: Vec<(String, String)> = spec
        .volumes
        .iter()
        .map(|volume| (project.volume_name(&volume.name), volume.name.to_string()))
        .collect();
    let mounts = spec
        .volumes
        .iter()
        .zip(&volumes)
        .map(|(volume, (engine_name, _))| Mount {
            target: Some(volume.path.clone()),
            source: Some(engine_name.clone()),
            typ: Some(MountType::VOLUME),
            ..Mount::default()
        })
        .collect();
    let mut environment: Vec<String> = spec
        .environment
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    environment.sort();
    let check = &spec.healthcheck;
    let network = project.network_name();
    let body = ContainerCreateBody {
        image: Some(spec.image.canonical()),
        hostname: Some(service.to_string()),
        cmd: spec.command.clone(),
        env: Some(environment),
        exposed_ports: Some(spec.ports.iter().map(|p| port_key(p.container)).collect()),
        labels: Some(container_labels),
        healthcheck: Some(HealthConfig {
            test: Some(vec!["CMD-SHELL".to_owned(), check.command.clone()]),
            interval: Some(check.interval.as_nanos_i64()),
            timeout: Some(check.timeout.as_nanos_i64()),
            retries: Some(i64::from(check.retries)),
            start_period: Some(check.start_period.as_nanos_i64()),
            start_interval: None,
        }),
        host_config: Some(HostConfig {
            port_bindings: Some(port_bindings),
            mounts: Some(mounts),
            network_mode: Some(network.clone()),
            ..HostConfig::default()
        }),
        networking_config: Some(NetworkingConfig {
            endpoints_config: Some(HashMap::from([(
                network,
                EndpointSettings {
                    aliases: Some(vec![service.to_string()]),
                    ..EndpointSettings::default()
                },
            )])),
        }),
        ..ContainerCreateBody::default()
    };
    DesiredContainer {
        service: service.clone(),
        name: project.container_name(service),
        config_hash,
        volumes,
        body,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::infra::spec::Spec;

    const SPEC: &str = "format_version: 1\nservices:\n  postgres:\n    image: postgres:15\n    ports:\n      - container: 5432\n    environment:\n      POSTGRES_PASSWORD: p\n    healthcheck:\n      command: pg_isready\n      interval: 2s\n      timeout: 1s\n      retries: 3\n      start_period: 10s\n    volumes:\n      - name: data\n        path: /var/lib/postgresql/data\n";

    fn service() -> (ServiceName, ServiceSpec) {
        let spec = Spec::from_yaml(SPEC, Path::new("infra.yaml")).expect("valid spec");
        let (name, service) = spec.services.into_iter().next().expect("one service");
        (name, service)
    }

    #[test]
    fn the_create_request_publishes_on_loopback_labels_and_mounts_the_named_volume() {
        let (name, spec) = service();
        let project = Project::for_workspace(Path::new("/w"));
        let desired = desired_container(&project, &name, &spec, "sha256:img");
        let body = &desired.body;
        let host = body.host_config.as_ref().expect("host config");
        let binding = &host.port_bindings.as_ref().expect("ports")["5432/tcp"];
        assert_eq!(
            binding.as_deref(),
            Some(
                &[PortBinding {
                    host_ip: Some("127.0.0.1".to_owned()),
                    host_port: Some(String::new()),
                }][..]
            ),
            "port 5432 must be published on 127.0.0.1 with an engine-chosen host port"
        );
        let mount = &host.mounts.as_ref().expect("mounts")[0];
        assert_eq!(
            mount.source.as_deref(),
            Some(project.volume_name(&spec.volumes[0].name).as_str())
        );
        assert_eq!(mount.target.as_deref(), Some("/var/lib/postgresql/data"));
        let labels = body.labels.as_ref().expect("labels");
        assert_eq!(labels[labels::PROJECT], project.id());
        assert_eq!(labels[labels::SERVICE], "postgres");
        assert_eq!(labels[labels::CONFIG_HASH], desired.config_hash);
        let health = body.healthcheck.as_ref().expect("health check");
        assert_eq!(
            health.interval,
            Some(2_000_000_000),
            "the engine wants nanoseconds"
        );
        assert_eq!(
            health.test.as_deref(),
            Some(&["CMD-SHELL".to_owned(), "pg_isready".to_owned()][..])
        );
    }

    #[test]
    fn the_hash_changes_with_the_spec_and_the_image_id_but_not_otherwise() {
        let (name, spec) = service();
        let base = config_hash(&name, &spec, "sha256:a");
        assert_eq!(
            base,
            config_hash(&name, &spec, "sha256:a"),
            "same input, same hash"
        );
        assert_ne!(
            base,
            config_hash(&name, &spec, "sha256:b"),
            "a new image id must change the hash"
        );
        let mut changed = spec.clone();
        changed
            .environment
            .insert("POSTGRES_PASSWORD".to_owned(), "q".to_owned());
        assert_ne!(
            base,
            config_hash(&name, &changed, "sha256:a"),
            "changed env must change the hash"
        );
        let mut settings_only = spec;
        settings_only.settings.clear();
        settings_only.settings.insert(
            "MEDIAFLOW_X".to_owned(),
            crate::infra::spec::SettingTemplate::parse("x").expect("valid"),
        );
        assert_eq!(
            base,
            config_hash(&name, &settings_only, "sha256:a"),
            "settings do not affect the container"
        );
    }
}
