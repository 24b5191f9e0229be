//! Progress events of `up`: the infrastructure code emits them, consumers (the live
//! terminal display, plain log lines, later a JSON protocol) decide how to show them.

use std::time::Duration;

use super::spec::{ImageRef, ServiceName};

/// What a service's container went through during `up`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerAction {
    /// Same spec and running: untouched.
    Unchanged,
    /// Same spec, was stopped: started.
    Started,
    /// Did not exist: created and started.
    Created,
    /// Spec or image changed: replaced.
    Recreated,
}

impl ContainerAction {
    /// Lowercase word for displays and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unchanged => "unchanged",
            Self::Started => "started",
            Self::Created => "created",
            Self::Recreated => "recreated",
        }
    }
}

/// Health of a service while `up` waits for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HealthProgress {
    /// Not healthy yet; `elapsed` since waiting began.
    Waiting {
        /// Time waited so far.
        elapsed: Duration,
    },
    /// Healthy after `elapsed`.
    Healthy {
        /// Time from the start of waiting.
        elapsed: Duration,
    },
    /// Gave up: unhealthy, exited or timed out (the reason says which).
    Failed {
        /// One-line reason.
        reason: String,
    },
}

/// One thing that happened during `up`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InfraEvent {
    /// The project network was created (absent when it already existed).
    NetworkCreated {
        /// Its name.
        name: String,
    },
    /// An image is missing locally and is being pulled.
    PullStarted {
        /// The service needing it.
        service: ServiceName,
        /// The image.
        image: ImageRef,
    },
    /// Progress of one layer of a pull.
    PullLayer {
        /// The service needing the image.
        service: ServiceName,
        /// Layer id as the engine reports it.
        layer: String,
        /// The engine's status word (`Downloading`, `Extracting`, `Pull complete`…).
        status: String,
        /// Bytes done, when known.
        current: Option<u64>,
        /// Bytes in total, when known.
        total: Option<u64>,
    },
    /// A pull finished.
    PullFinished {
        /// The service needing the image.
        service: ServiceName,
        /// The image.
        image: ImageRef,
    },
    /// A container was removed because its service left the spec (or was a duplicate).
    Removed {
        /// Container name.
        name: String,
    },
    /// A service's container was reconciled.
    Container {
        /// The service.
        service: ServiceName,
        /// What happened.
        action: ContainerAction,
    },
    /// Health of a service changed (or time passed while waiting).
    Health {
        /// The service.
        service: ServiceName,
        /// Where it stands.
        progress: HealthProgress,
    },
}

/// Receives events; called from concurrent health waits, hence `Sync`.
pub trait EventSink: Sync {
    /// Handles one event; must not block for long.
    fn emit(&self, event: InfraEvent);
}

/// Discards every event, for callers that only want the result.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEvents;

impl EventSink for NoEvents {
    fn emit(&self, _event: InfraEvent) {}
}
