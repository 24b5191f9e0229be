//! The infrastructure spec, `infrastructure/infra.yaml` (format_version 1): the services
//! `mediaflow up` starts, each with image, ports, environment, health check, volumes and
//! the connection settings it yields for the platform. Read with `deny_unknown_fields`;
//! every error names the file, line and column.

mod duration;
mod error;
mod image;
mod model;
mod names;
mod template;
mod validate;

pub use duration::HumanDuration;
pub use error::{InvalidValue, SpecError};
pub use image::{DEFAULT_TAG, ImageRef};
pub use model::{FORMAT_VERSION, HealthCheck, PortSpec, SPEC_PATH, ServiceSpec, Spec, VolumeSpec};
pub use names::{ServiceName, VolumeName};
pub use template::SettingTemplate;

#[cfg(test)]
mod tests;
