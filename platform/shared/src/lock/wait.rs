//! Bounded waiting for a lock: retry until the deadline, then fail. A caller that
//! times out gets an error, never a lease it does not hold.

use std::time::Duration;

use super::api::{Lease, LockError, LockService};
use crate::clock::Clock;

/// Shortest pause between attempts; a zero poll interval would spin (and, on a
/// manual clock, never let time pass).
const MIN_POLL: Duration = Duration::from_millis(1);

/// Acquires `resource` for `owner`, retrying every `poll` until `wait` has elapsed
/// on `clock`; then returns [`LockError::Timeout`] (or the service's last
/// `Unavailable` error). Invalid TTLs fail at once.
pub async fn acquire_within(
    locks: &dyn LockService,
    clock: &dyn Clock,
    resource: &str,
    owner: &str,
    ttl: Duration,
    wait: Duration,
    poll: Duration,
) -> Result<Lease, LockError> {
    let poll = poll.max(MIN_POLL);
    let started = clock.now();
    loop {
        let last_error = match locks.try_acquire(resource, owner, ttl).await {
            Ok(Some(lease)) => return Ok(lease),
            Ok(None) => None,
            Err(error @ LockError::Unavailable(_)) => Some(error),
            Err(error) => return Err(error),
        };
        let waited = (clock.now() - started).to_std().unwrap_or_default();
        if waited >= wait {
            return Err(last_error.unwrap_or_else(|| LockError::Timeout {
                resource: resource.to_owned(),
                waited,
            }));
        }
        clock.sleep(poll.min(wait - waited)).await;
    }
}
