//! Image overrides, for private registries and air-gapped machines: per workspace in
//! `.mediaflow/config.yaml` and per run with `--image NAME=REF` (the flag wins).
//!
//! ```yaml
//! # .mediaflow/config.yaml
//! infrastructure:
//!   images:
//!     postgres: mediaflow-local/postgres:15
//!     redis: mediaflow-local/redis:7
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::Deserialize;

use super::spec::{ImageRef, InvalidValue, ServiceName, Spec, SpecError};

/// Where the workspace config lives, relative to the workspace root.
pub const CONFIG_PATH: &str = ".mediaflow/config.yaml";

/// The workspace's own settings for the tool (only the infrastructure part so far).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceConfig {
    /// Settings of `mediaflow up`.
    #[serde(default)]
    pub infrastructure: InfraConfig,
}

/// The `infrastructure:` section of the workspace config.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InfraConfig {
    /// Image per service name, replacing the spec's image.
    #[serde(default)]
    pub images: BTreeMap<ServiceName, ImageRef>,
}

impl WorkspaceConfig {
    /// Reads the config; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<Self, SpecError> {
        match std::fs::read_to_string(path) {
            Ok(text) if text.trim().is_empty() => Ok(Self::default()),
            Ok(text) => {
                serde_yaml::from_str(&text).map_err(|error| SpecError::from_yaml(path, &error))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(SpecError::Read {
                path: path.to_owned(),
                source,
            }),
        }
    }
}

/// One `--image NAME=REF` flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageOverride {
    /// The service name as typed (checked against the spec later).
    pub service: String,
    /// The replacement image.
    pub image: ImageRef,
}

impl FromStr for ImageOverride {
    type Err = InvalidValue;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (service, image) = text.split_once('=').ok_or_else(|| {
            InvalidValue::new(format!(
                "`{text}` is not NAME=REF (e.g. postgres=mediaflow-local/postgres:15)"
            ))
        })?;
        Ok(Self {
            service: service.to_owned(),
            image: ImageRef::parse(image)?,
        })
    }
}

/// An override names a service the spec does not have.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin} overrides the image of unknown service `{service}`; known services are {known}")]
pub struct UnknownService {
    /// Where the override came from (`--image` or the config file path).
    pub origin: String,
    /// The unknown name.
    pub service: String,
    /// The spec's service names.
    pub known: String,
}

/// Replaces the spec's images: first from the workspace config, then from the flags.
pub fn apply(
    mut spec: Spec,
    config: &WorkspaceConfig,
    config_path: &Path,
    flags: &[ImageOverride],
) -> Result<Spec, UnknownService> {
    let known = spec.names_list();
    let config_origin = PathBuf::from(config_path).display().to_string();
    let from_config = config
        .infrastructure
        .images
        .iter()
        .map(|(name, image)| (config_origin.as_str(), name.as_str(), image));
    let from_flags = flags
        .iter()
        .map(|flag| ("--image", flag.service.as_str(), &flag.image));
    for (origin, name, image) in from_config.chain(from_flags) {
        let service = spec
            .services
            .iter_mut()
            .find(|(key, _)| key.as_str() == name)
            .map(|(_, service)| service)
            .ok_or_else(|| UnknownService {
                origin: origin.to_owned(),
                service: name.to_owned(),
                known: known.clone(),
            })?;
        service.image = image.clone();
    }
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "format_version: 1\nservices:\n  redis:\n    image: redis:7\n    healthcheck:\n      command: redis-cli ping\n      interval: 2s\n      timeout: 1s\n      retries: 3\n";

    fn spec() -> Spec {
        Spec::from_yaml(SPEC, Path::new("infra.yaml")).expect("valid spec")
    }

    fn image_of_redis(spec: &Spec) -> String {
        spec.service("redis").expect("redis").1.image.to_string()
    }

    #[test]
    fn flags_win_over_the_workspace_config() {
        let config: WorkspaceConfig =
            serde_yaml::from_str("infrastructure:\n  images:\n    redis: local/redis:7\n")
                .expect("valid config");
        let flags = ["redis=flag/redis:7".parse().expect("valid flag")];
        let applied = apply(spec(), &config, Path::new("c.yaml"), &flags).expect("known service");
        assert_eq!(image_of_redis(&applied), "flag/redis:7");
        let applied = apply(spec(), &config, Path::new("c.yaml"), &[]).expect("known service");
        assert_eq!(image_of_redis(&applied), "local/redis:7");
    }

    #[test]
    fn an_override_of_an_unknown_service_is_an_error_naming_the_known_ones() {
        let flags = ["postgress=x:1".parse().expect("valid flag")];
        let error = apply(
            spec(),
            &WorkspaceConfig::default(),
            Path::new("c.yaml"),
            &flags,
        )
        .expect_err("unknown service must be rejected");
        assert_eq!(
            error.to_string(),
            "--image overrides the image of unknown service `postgress`; known services are redis"
        );
    }

    #[test]
    fn flags_without_an_equals_sign_or_with_a_bad_reference_are_rejected() {
        assert!("redis".parse::<ImageOverride>().is_err());
        assert!("redis=Bad:Ref".parse::<ImageOverride>().is_err());
    }

    #[test]
    fn a_missing_config_file_is_an_empty_config() {
        let config = WorkspaceConfig::load(Path::new("/nonexistent/mediaflow/config.yaml"))
            .expect("missing file is fine");
        assert_eq!(config, WorkspaceConfig::default());
    }
}
