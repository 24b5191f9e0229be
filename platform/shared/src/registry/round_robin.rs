//! Client-side load balancing: each call picks the next healthy instance of a
//! service, reading the registry every time so instances that vanish stop
//! receiving traffic at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::api::{RegistryError, ServiceInstance, ServiceRegistry};

/// Cycles through the healthy instances of one service.
#[derive(Debug)]
pub struct RoundRobin {
    registry: Arc<dyn ServiceRegistry>,
    service: String,
    /// Calls so far; taken modulo the list length of each call, so a list that
    /// shrank between calls can never be indexed out of bounds.
    next: AtomicUsize,
}

impl RoundRobin {
    /// A balancer over the instances of `service`.
    pub fn new(registry: Arc<dyn ServiceRegistry>, service: impl Into<String>) -> Self {
        Self {
            registry,
            service: service.into(),
            next: AtomicUsize::new(0),
        }
    }

    /// The service this balancer serves.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The next healthy instance; `NoHealthyInstance` when none is registered.
    pub async fn next(&self) -> Result<ServiceInstance, RegistryError> {
        let mut instances = self.registry.healthy_instances(&self.service).await?;
        if instances.is_empty() {
            return Err(RegistryError::NoHealthyInstance(self.service.clone()));
        }
        let index = self.next.fetch_add(1, Ordering::Relaxed) % instances.len();
        Ok(instances.swap_remove(index))
    }
}
