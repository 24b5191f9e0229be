//! The Docker infrastructure behind `mediaflow up / down / status / logs`, as a library:
//! it reads the spec, talks to the engine, emits progress events and returns reports,
//! and never prints, so the CLI, a dashboard or an agent protocol can all drive it.

pub mod container;
pub mod down;
pub mod engine;
pub mod events;
pub mod health;
pub mod overrides;
pub mod plan;
pub mod project;
pub mod settings;
pub mod spec;
pub mod status;
pub mod up;

pub use down::{DownError, DownReport, down};
pub use engine::{Engine, EngineEnv, EngineError, connect};
pub use events::{ContainerAction, EventSink, HealthProgress, InfraEvent, NoEvents};
pub use overrides::{CONFIG_PATH, ImageOverride, WorkspaceConfig};
pub use project::Project;
pub use settings::SETTINGS_PATH;
pub use spec::{SPEC_PATH, ServiceName, Spec};
pub use status::{ServiceStatus, StatusReport};
pub use up::{FailedService, UpError, UpReport, up};
