//! The embedded service registry: registrations with a TTL in one mutex-guarded
//! map, judged by the registry's clock. An instance whose TTL lapsed is gone: it
//! is invisible to lookups and must register again (heartbeats do not revive it).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;

use super::api::{RegistryError, ServiceInstance, ServiceRegistry};
use crate::clock::{SharedClock, Timestamp, chrono_duration};

#[derive(Debug, Clone)]
struct Registration {
    instance: ServiceInstance,
    ttl: Duration,
    expires_at: Timestamp,
}

impl Registration {
    fn is_live(&self, now: Timestamp) -> bool {
        now < self.expires_at
    }
}

/// In-process [`ServiceRegistry`], keyed by instance id.
#[derive(Debug)]
pub struct MemoryRegistry {
    clock: SharedClock,
    instances: Mutex<HashMap<String, Registration>>,
}

impl MemoryRegistry {
    /// An empty registry whose TTLs follow `clock`.
    pub fn new(clock: SharedClock) -> Self {
        Self {
            clock,
            instances: Mutex::new(HashMap::new()),
        }
    }

    /// When `instance_id`'s registration lapses, if it is live.
    pub fn expires_at(&self, instance_id: &str) -> Option<Timestamp> {
        let now = self.clock.now();
        self.lock()
            .get(instance_id)
            .filter(|r| r.is_live(now))
            .map(|r| r.expires_at)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Registration>> {
        self.instances.lock().expect("registry poisoned")
    }
}

pub(super) fn validate(instance: &ServiceInstance, ttl: Duration) -> Result<(), RegistryError> {
    let problem = if instance.id.trim().is_empty() {
        "instance id is empty; give each instance a unique id"
    } else if instance.service.trim().is_empty() {
        "service name is empty; register under the service's name"
    } else if instance.address.trim().is_empty() {
        "address is empty; register the host:port the instance listens on"
    } else if ttl.is_zero() {
        "ttl is zero; use a ttl longer than the heartbeat interval"
    } else {
        return Ok(());
    };
    Err(RegistryError::Invalid(problem.to_owned()))
}

#[async_trait]
impl ServiceRegistry for MemoryRegistry {
    async fn register(
        &self,
        instance: ServiceInstance,
        ttl: Duration,
    ) -> Result<(), RegistryError> {
        validate(&instance, ttl)?;
        let now = self.clock.now();
        let expires_at = now + chrono_duration(ttl);
        let mut instances = self.lock();
        instances.retain(|_, r| r.is_live(now));
        instances.insert(
            instance.id.clone(),
            Registration {
                instance,
                ttl,
                expires_at,
            },
        );
        Ok(())
    }

    async fn heartbeat(&self, instance_id: &str) -> Result<(), RegistryError> {
        let now = self.clock.now();
        let mut instances = self.lock();
        match instances.get_mut(instance_id) {
            Some(registration) if registration.is_live(now) => {
                registration.expires_at = now + chrono_duration(registration.ttl);
                Ok(())
            }
            Some(_) => {
                instances.remove(instance_id);
                Err(RegistryError::NotRegistered(instance_id.to_owned()))
            }
            None => Err(RegistryError::NotRegistered(instance_id.to_owned())),
        }
    }

    async fn deregister(&self, instance_id: &str) -> Result<bool, RegistryError> {
        let now = self.clock.now();
        Ok(self
            .lock()
            .remove(instance_id)
            .is_some_and(|r| r.is_live(now)))
    }

    async fn healthy_instances(
        &self,
        service: &str,
    ) -> Result<Vec<ServiceInstance>, RegistryError> {
        if service.trim().is_empty() {
            return Err(RegistryError::Invalid(
                "service name is empty; look up a service by its name".to_owned(),
            ));
        }
        let now = self.clock.now();
        let mut found: Vec<ServiceInstance> = self
            .lock()
            .values()
            .filter(|r| r.instance.service == service && r.is_live(now))
            .map(|r| r.instance.clone())
            .collect();
        found.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(found)
    }
}
