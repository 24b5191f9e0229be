//! The startup readiness gate: a service waits, for a bounded time, until the
//! services it calls have registered, instead of failing its first requests.

use std::time::Duration;

use super::api::{RegistryError, ServiceRegistry};
use crate::clock::Clock;

/// Shortest pause between checks; a zero poll would spin.
const MIN_POLL: Duration = Duration::from_millis(1);

/// Waits until every service in `services` has a healthy instance, checking every
/// `poll` on `clock`. After `timeout` it fails with [`RegistryError::NotReady`]
/// naming the services still missing. A registry that cannot be reached counts as
/// "not registered yet" until the timeout.
pub async fn wait_until_registered(
    registry: &dyn ServiceRegistry,
    clock: &dyn Clock,
    services: &[&str],
    timeout: Duration,
    poll: Duration,
) -> Result<(), RegistryError> {
    let poll = poll.max(MIN_POLL);
    let started = clock.now();
    loop {
        let missing = missing_services(registry, services).await?;
        if missing.is_empty() {
            return Ok(());
        }
        let waited = (clock.now() - started).to_std().unwrap_or_default();
        if waited >= timeout {
            return Err(RegistryError::NotReady { missing, waited });
        }
        clock.sleep(poll.min(timeout - waited)).await;
    }
}

/// Services without a healthy instance, in the order asked. Invalid names are a
/// setup bug and fail at once.
async fn missing_services(
    registry: &dyn ServiceRegistry,
    services: &[&str],
) -> Result<Vec<String>, RegistryError> {
    let mut missing = Vec::new();
    for &service in services {
        match registry.healthy_instances(service).await {
            Ok(instances) if !instances.is_empty() => {}
            Ok(_) | Err(RegistryError::Unavailable(_)) => missing.push(service.to_owned()),
            Err(error) => return Err(error),
        }
    }
    Ok(missing)
}
