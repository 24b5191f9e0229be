//! The spec's data model: services with image, command, ports, environment, health
//! check, volumes and settings templates. Validation lives in `validate`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::{HumanDuration, ImageRef, ServiceName, SettingTemplate, SpecError, VolumeName};

/// The only `format_version` this build reads; bumped on incompatible changes.
pub const FORMAT_VERSION: u32 = 1;

/// Where the spec lives, relative to the workspace root.
pub const SPEC_PATH: &str = "infrastructure/infra.yaml";

/// The whole spec: every service by name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "super::validate::RawSpec")]
pub struct Spec {
    /// Services in name order.
    pub services: BTreeMap<ServiceName, ServiceSpec>,
}

/// One service: what its container looks like and what it yields for the platform.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "super::validate::RawService")]
pub struct ServiceSpec {
    /// The image to run (overridable per workspace and per command).
    pub image: ImageRef,
    /// Arguments replacing the image's command, when set.
    pub command: Option<Vec<String>>,
    /// Container ports published on 127.0.0.1, in spec order.
    pub ports: Vec<PortSpec>,
    /// Environment variables of the container.
    pub environment: BTreeMap<String, String>,
    /// How the engine decides the service is ready.
    pub healthcheck: HealthCheck,
    /// Named volumes and where they are mounted.
    pub volumes: Vec<VolumeSpec>,
    /// Connection settings for the platform (`MEDIAFLOW_*` name → template).
    pub settings: BTreeMap<String, SettingTemplate>,
}

/// A published port: always on 127.0.0.1, the host port fixed or 0 (the engine picks one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortSpec {
    /// The port the server listens on inside the container.
    pub container: u16,
    /// The host port on 127.0.0.1; 0 means ephemeral (recorded after `up`).
    #[serde(default)]
    pub host: u16,
}

/// A shell-form health check with the engine's timing knobs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "super::validate::RawHealthCheck")]
pub struct HealthCheck {
    /// Shell command run inside the container; exit 0 means healthy.
    pub command: String,
    /// Time between checks.
    pub interval: HumanDuration,
    /// How long one check may take; shorter than the interval.
    pub timeout: HumanDuration,
    /// Consecutive failures (after the start period) that make the service unhealthy.
    pub retries: u32,
    /// Grace period after start during which failures do not count.
    pub start_period: HumanDuration,
}

/// A named volume mounted into the container.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolumeSpec {
    /// Volume name within the workspace (the engine's name adds the project id).
    pub name: VolumeName,
    /// Absolute mount path inside the container.
    pub path: String,
}

impl Spec {
    /// Parses spec text; `path` is only used in error messages.
    pub fn from_yaml(text: &str, path: &Path) -> Result<Self, SpecError> {
        serde_yaml::from_str(text).map_err(|error| SpecError::from_yaml(path, &error))
    }

    /// Reads and parses the spec file.
    pub fn load(path: &Path) -> Result<Self, SpecError> {
        let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_yaml(&text, path)
    }

    /// Looks a service up by its name as typed by a user.
    pub fn service(&self, name: &str) -> Option<(&ServiceName, &ServiceSpec)> {
        self.services.iter().find(|(key, _)| key.as_str() == name)
    }

    /// The service names, comma-separated, for "known services are …" messages.
    pub fn names_list(&self) -> String {
        let names: Vec<&str> = self.services.keys().map(ServiceName::as_str).collect();
        names.join(", ")
    }
}
