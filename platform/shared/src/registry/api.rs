//! The service registry contract: instances register with a TTL, keep themselves
//! alive with heartbeats, and are found by service name while healthy.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use thiserror::Error;

/// One running instance of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceInstance {
    /// Unique instance id, e.g. `catalog-3f2a`.
    pub id: String,
    /// Service name, e.g. `catalog`.
    pub service: String,
    /// `host:port` it listens on.
    pub address: String,
    /// Free-form tags (version, zone).
    pub metadata: BTreeMap<String, String>,
}

impl ServiceInstance {
    /// An instance without metadata.
    pub fn new(
        id: impl Into<String>,
        service: impl Into<String>,
        address: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            service: service.into(),
            address: address.into(),
            metadata: BTreeMap::new(),
        }
    }

    /// `http://host:port`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }
}

/// Errors of the registry.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum RegistryError {
    /// Heartbeat for an instance that is unknown or whose TTL lapsed; re-register.
    #[error("instance `{0}` is not registered (unknown or expired); register it again")]
    NotRegistered(String),
    /// No healthy instance of the service.
    #[error("no healthy instance of `{0}` is registered")]
    NoHealthyInstance(String),
    /// Required services did not register in time.
    #[error("services not ready after {waited:?}: {missing:?}")]
    NotReady {
        /// Service names still missing.
        missing: Vec<String>,
        /// How long we waited.
        waited: Duration,
    },
    /// Zero TTL or empty names.
    #[error("invalid registration: {0}")]
    Invalid(String),
    /// The registry is unreachable.
    #[error("service registry unavailable: {0}")]
    Unavailable(String),
}

/// A service registry.
#[async_trait]
pub trait ServiceRegistry: Send + Sync + fmt::Debug {
    /// Registers (or re-registers) an instance, healthy for `ttl` unless heartbeats follow.
    async fn register(&self, instance: ServiceInstance, ttl: Duration)
    -> Result<(), RegistryError>;
    /// Extends the instance's TTL.
    async fn heartbeat(&self, instance_id: &str) -> Result<(), RegistryError>;
    /// Removes an instance; true when it was registered.
    async fn deregister(&self, instance_id: &str) -> Result<bool, RegistryError>;
    /// Healthy (unexpired) instances of a service, ordered by id.
    async fn healthy_instances(&self, service: &str)
    -> Result<Vec<ServiceInstance>, RegistryError>;
}
