//! The heartbeat worker a service runs to stay registered: each beat extends the
//! TTL, and re-registers when the registry has forgotten the instance (its TTL
//! lapsed during a partition or a pause).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use super::api::{RegistryError, ServiceInstance, ServiceRegistry};
use crate::clock::Clock;

/// What one heartbeat did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeartbeatOutcome {
    /// The registration was extended.
    Renewed,
    /// The registry did not know the instance (any more); it was registered again.
    Reregistered,
    /// The registry could not be reached or refused; the next beat tries again.
    Failed(RegistryError),
}

/// Keeps one instance registered.
#[derive(Debug)]
pub struct Heartbeat {
    registry: Arc<dyn ServiceRegistry>,
    instance: ServiceInstance,
    ttl: Duration,
}

impl Heartbeat {
    /// A heartbeat for `instance`, registering it with `ttl` when needed.
    pub fn new(
        registry: Arc<dyn ServiceRegistry>,
        instance: ServiceInstance,
        ttl: Duration,
    ) -> Self {
        Self {
            registry,
            instance,
            ttl,
        }
    }

    /// The instance kept alive.
    pub fn instance(&self) -> &ServiceInstance {
        &self.instance
    }

    /// One beat: renew, or register again when the registry forgot the instance.
    pub async fn run_once(&self) -> HeartbeatOutcome {
        match self.registry.heartbeat(&self.instance.id).await {
            Ok(()) => HeartbeatOutcome::Renewed,
            Err(RegistryError::NotRegistered(_)) => {
                match self
                    .registry
                    .register(self.instance.clone(), self.ttl)
                    .await
                {
                    Ok(()) => HeartbeatOutcome::Reregistered,
                    Err(error) => HeartbeatOutcome::Failed(error),
                }
            }
            Err(error) => HeartbeatOutcome::Failed(error),
        }
    }

    /// Beats every `interval` until `shutdown` resolves, then deregisters. The
    /// interval must be shorter than the TTL, or the instance would lapse between
    /// beats; that setup bug is rejected before anything runs.
    pub async fn run(
        &self,
        clock: &dyn Clock,
        interval: Duration,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), RegistryError> {
        if interval.is_zero() || interval >= self.ttl {
            return Err(RegistryError::Invalid(format!(
                "heartbeat interval {interval:?} must be non-zero and shorter than the ttl {:?}; \
                 beat at most every ttl / 3",
                self.ttl
            )));
        }
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            // A failed beat is retried at the next interval; the outcome needs no
            // handling here beyond that.
            let _outcome = self.run_once().await;
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                () = clock.sleep(interval) => {}
            }
        }
        self.registry
            .deregister(&self.instance.id)
            .await
            .map(|_| ())
    }
}
