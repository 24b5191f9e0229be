//! The spec as written (`Raw*`, `deny_unknown_fields`) and the checks that turn it into
//! the model. Running them inside deserialisation keeps the YAML position in the error.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::{
    FORMAT_VERSION, HealthCheck, HumanDuration, ImageRef, InvalidValue, PortSpec, ServiceName,
    ServiceSpec, SettingTemplate, Spec, VolumeSpec,
};

/// The top level as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSpec {
    /// Must be [`FORMAT_VERSION`].
    format_version: u32,
    /// Services by name.
    services: BTreeMap<ServiceName, ServiceSpec>,
}

/// One service as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawService {
    /// See [`ServiceSpec::image`].
    image: ImageRef,
    /// See [`ServiceSpec::command`].
    #[serde(default)]
    command: Option<Vec<String>>,
    /// See [`ServiceSpec::ports`].
    #[serde(default)]
    ports: Vec<PortSpec>,
    /// See [`ServiceSpec::environment`].
    #[serde(default)]
    environment: BTreeMap<String, String>,
    /// See [`ServiceSpec::healthcheck`].
    healthcheck: HealthCheck,
    /// See [`ServiceSpec::volumes`].
    #[serde(default)]
    volumes: Vec<VolumeSpec>,
    /// See [`ServiceSpec::settings`].
    #[serde(default)]
    settings: BTreeMap<String, SettingTemplate>,
}

/// A health check as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHealthCheck {
    /// See [`HealthCheck::command`].
    command: String,
    /// See [`HealthCheck::interval`].
    interval: HumanDuration,
    /// See [`HealthCheck::timeout`].
    timeout: HumanDuration,
    /// See [`HealthCheck::retries`].
    retries: u32,
    /// See [`HealthCheck::start_period`].
    #[serde(default = "zero")]
    start_period: HumanDuration,
}

fn zero() -> HumanDuration {
    HumanDuration::new(std::time::Duration::ZERO)
}

impl TryFrom<RawSpec> for Spec {
    type Error = InvalidValue;

    fn try_from(raw: RawSpec) -> Result<Self, Self::Error> {
        if raw.format_version != FORMAT_VERSION {
            return Err(InvalidValue::new(format!(
                "format_version {} is not supported (this mediaflow reads {FORMAT_VERSION}); use a matching mediaflow",
                raw.format_version
            )));
        }
        if raw.services.is_empty() {
            return Err(InvalidValue::new(
                "the spec lists no services; add at least one",
            ));
        }
        let mut host_ports = BTreeMap::new();
        let mut volumes = BTreeMap::new();
        let mut settings = BTreeMap::new();
        for (name, service) in &raw.services {
            for port in service.ports.iter().filter(|port| port.host != 0) {
                if let Some(other) = host_ports.insert(port.host, name) {
                    return Err(InvalidValue::new(format!(
                        "host port {} is published by both `{other}` and `{name}`; give one of them another port or 0",
                        port.host
                    )));
                }
            }
            for volume in &service.volumes {
                if let Some(other) = volumes.insert(&volume.name, name) {
                    return Err(InvalidValue::new(format!(
                        "volume `{}` is used by both `{other}` and `{name}`; each service needs its own",
                        volume.name
                    )));
                }
            }
            for key in service.settings.keys() {
                if let Some(other) = settings.insert(key, name) {
                    return Err(InvalidValue::new(format!(
                        "setting `{key}` is yielded by both `{other}` and `{name}`; settings must be unique"
                    )));
                }
            }
        }
        Ok(Self {
            services: raw.services,
        })
    }
}

impl TryFrom<RawService> for ServiceSpec {
    type Error = InvalidValue;

    fn try_from(raw: RawService) -> Result<Self, Self::Error> {
        if raw.command.as_ref().is_some_and(Vec::is_empty) {
            return Err(InvalidValue::new(
                "command is empty; remove it to use the image's command",
            ));
        }
        let mut container_ports = BTreeSet::new();
        for port in &raw.ports {
            if port.container == 0 {
                return Err(InvalidValue::new("container port 0 is not a port"));
            }
            if !container_ports.insert(port.container) {
                return Err(InvalidValue::new(format!(
                    "container port {} is listed twice",
                    port.container
                )));
            }
        }
        for key in raw.environment.keys() {
            if key.is_empty() || key.contains('=') || key.contains(char::is_whitespace) {
                return Err(InvalidValue::new(format!(
                    "environment name `{key}` must be non-empty without `=` or spaces"
                )));
            }
        }
        let mut paths = BTreeSet::new();
        let mut names = BTreeSet::new();
        for volume in &raw.volumes {
            if !volume.path.starts_with('/') {
                return Err(InvalidValue::new(format!(
                    "volume `{}` mount path `{}` must be absolute",
                    volume.name, volume.path
                )));
            }
            if !names.insert(&volume.name) || !paths.insert(&volume.path) {
                return Err(InvalidValue::new(format!(
                    "volume `{}` or its path `{}` is listed twice",
                    volume.name, volume.path
                )));
            }
        }
        for (key, template) in &raw.settings {
            let valid_key = key.starts_with(|c: char| c.is_ascii_uppercase())
                && key
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            if !valid_key {
                return Err(InvalidValue::new(format!(
                    "setting name `{key}` must be an environment name like MEDIAFLOW_DATABASE_URL"
                )));
            }
            if let Some(port) = template
                .ports()
                .find(|port| !container_ports.contains(port))
            {
                return Err(InvalidValue::new(format!(
                    "setting `{key}` uses {{port:{port}}} but the service publishes no container port {port}; add it under ports"
                )));
            }
        }
        Ok(Self {
            image: raw.image,
            command: raw.command,
            ports: raw.ports,
            environment: raw.environment,
            healthcheck: raw.healthcheck,
            volumes: raw.volumes,
            settings: raw.settings,
        })
    }
}

impl TryFrom<RawHealthCheck> for HealthCheck {
    type Error = InvalidValue;

    fn try_from(raw: RawHealthCheck) -> Result<Self, Self::Error> {
        if raw.command.trim().is_empty() {
            return Err(InvalidValue::new("healthcheck command is empty"));
        }
        let millisecond = std::time::Duration::from_millis(1);
        if raw.interval.get() < millisecond || raw.timeout.get() < millisecond {
            return Err(InvalidValue::new(
                "healthcheck interval and timeout must be at least 1ms",
            ));
        }
        let start_period = raw.start_period.get();
        if !start_period.is_zero() && start_period < millisecond {
            return Err(InvalidValue::new(
                "healthcheck start_period must be 0s or at least 1ms",
            ));
        }
        if raw.timeout >= raw.interval {
            return Err(InvalidValue::new(format!(
                "healthcheck timeout {} must be shorter than its interval {}",
                raw.timeout, raw.interval
            )));
        }
        if raw.retries == 0 {
            return Err(InvalidValue::new("healthcheck retries must be at least 1"));
        }
        Ok(Self {
            command: raw.command,
            interval: raw.interval,
            timeout: raw.timeout,
            retries: raw.retries,
            start_period: raw.start_period,
        })
    }
}
