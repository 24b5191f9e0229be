//! The embedded lock service: leases in one mutex-guarded table, judged by the
//! service's own clock, with fencing tokens drawn from one counter that never goes
//! back, so every grant of a resource carries a larger token than the one before.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;

use super::api::{FencingToken, Lease, LockError, LockService};
use crate::clock::{SharedClock, Timestamp, chrono_duration};

/// Shortest lease the service grants: anything shorter lapses before it is used.
pub const MIN_LEASE_TTL: Duration = Duration::from_millis(1);

/// Longest lease the service grants: a crashed holder must not block a resource
/// for longer than this.
pub const MAX_LEASE_TTL: Duration = Duration::from_secs(3600);

/// Rejects a TTL outside `MIN_LEASE_TTL..=MAX_LEASE_TTL`.
pub fn validate_lease_ttl(ttl: Duration) -> Result<(), LockError> {
    if (MIN_LEASE_TTL..=MAX_LEASE_TTL).contains(&ttl) {
        Ok(())
    } else {
        Err(LockError::InvalidTtl(ttl))
    }
}

/// The current holder of a resource.
#[derive(Debug, Clone)]
struct Held {
    owner: String,
    token: FencingToken,
    expires_at: Timestamp,
}

impl Held {
    /// A lease is free once its expiry instant is reached.
    fn is_live(&self, now: Timestamp) -> bool {
        now < self.expires_at
    }

    fn is(&self, lease: &Lease) -> bool {
        self.owner == lease.owner && self.token == lease.token
    }

    fn lease(&self, resource: &str) -> Lease {
        Lease {
            resource: resource.to_owned(),
            owner: self.owner.clone(),
            token: self.token,
            expires_at: self.expires_at,
        }
    }
}

#[derive(Debug, Default)]
struct Table {
    held: HashMap<String, Held>,
    /// Last token handed out, for any resource. One counter for all resources keeps
    /// tokens increasing per resource without remembering released resources.
    last_token: u64,
}

/// In-process [`LockService`]. Every decision (free, expired, renewable) uses the
/// service's clock, never the client's, so a client with a skewed clock cannot
/// steal a lease.
#[derive(Debug)]
pub struct MemoryLockService {
    clock: SharedClock,
    table: Mutex<Table>,
}

impl MemoryLockService {
    /// A lock service with no leases, judging expiry by `clock`.
    pub fn new(clock: SharedClock) -> Self {
        Self {
            clock,
            table: Mutex::new(Table::default()),
        }
    }

    /// The live lease on `resource`, if any (for diagnostics and tests).
    pub fn holder(&self, resource: &str) -> Option<Lease> {
        let now = self.clock.now();
        self.lock()
            .held
            .get(resource)
            .filter(|held| held.is_live(now))
            .map(|held| held.lease(resource))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().expect("lock table poisoned")
    }
}

#[async_trait]
impl LockService for MemoryLockService {
    async fn try_acquire(
        &self,
        resource: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<Lease>, LockError> {
        validate_lease_ttl(ttl)?;
        let now = self.clock.now();
        let mut table = self.lock();
        if table
            .held
            .get(resource)
            .is_some_and(|held| held.is_live(now))
        {
            return Ok(None);
        }
        table.last_token += 1;
        let held = Held {
            owner: owner.to_owned(),
            token: FencingToken(table.last_token),
            expires_at: now + chrono_duration(ttl),
        };
        let lease = held.lease(resource);
        table.held.insert(resource.to_owned(), held);
        Ok(Some(lease))
    }

    async fn renew(&self, lease: &Lease, ttl: Duration) -> Result<Lease, LockError> {
        validate_lease_ttl(ttl)?;
        let now = self.clock.now();
        let mut table = self.lock();
        match table.held.get_mut(&lease.resource) {
            Some(held) if held.is(lease) && held.is_live(now) => {
                held.expires_at = now + chrono_duration(ttl);
                Ok(held.lease(&lease.resource))
            }
            _ => Err(LockError::NotHeld {
                resource: lease.resource.clone(),
                owner: lease.owner.clone(),
            }),
        }
    }

    async fn release(&self, lease: &Lease) -> Result<bool, LockError> {
        let now = self.clock.now();
        let mut table = self.lock();
        // Compare and delete under one lock: a holder whose lease lapsed and was
        // granted to someone else must not delete the new holder's lease.
        let Some(held) = table.held.get(&lease.resource) else {
            return Ok(false);
        };
        if !held.is(lease) {
            return Ok(false);
        }
        let was_live = held.is_live(now);
        table.held.remove(&lease.resource);
        Ok(was_live)
    }
}
