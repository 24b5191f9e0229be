//! The lock service over the cache contract, as locks are kept in Redis: a lease is
//! a key set only when absent with the lease's TTL, holding the owner and the
//! fencing token; renewing and releasing compare that value and act on it in one
//! atomic cache operation, and fencing tokens come from one atomic counter. The
//! cache judges expiry by its own clock, so a client with a skewed clock can
//! neither keep nor steal a lease.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::api::{FencingToken, Lease, LockError, LockService};
use crate::cache::{Cache, CacheError, MemoryCache};
use crate::clock::{SharedClock, chrono_duration};

/// Shortest lease the service grants: anything shorter lapses before it is used.
pub const MIN_LEASE_TTL: Duration = Duration::from_millis(1);

/// Longest lease the service grants: a crashed holder must not block a resource
/// for longer than this.
pub const MAX_LEASE_TTL: Duration = Duration::from_secs(3600);

/// The counter every fencing token is drawn from. One counter for all resources
/// keeps tokens increasing per resource without remembering released resources.
const FENCING_KEY: &str = "lock:fencing";

/// Rejects a TTL outside `MIN_LEASE_TTL..=MAX_LEASE_TTL`.
pub fn validate_lease_ttl(ttl: Duration) -> Result<(), LockError> {
    if (MIN_LEASE_TTL..=MAX_LEASE_TTL).contains(&ttl) {
        Ok(())
    } else {
        Err(LockError::InvalidTtl(ttl))
    }
}

/// What the cache holds for a leased resource: who holds it, under which grant.
#[derive(Debug, Serialize, Deserialize)]
struct Held {
    owner: String,
    token: u64,
}

impl Held {
    fn of(lease: &Lease) -> Self {
        Self {
            owner: lease.owner.clone(),
            token: lease.token.0,
        }
    }

    fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a lease's owner and token always encode")
    }
}

fn held_key(resource: &str) -> String {
    format!("lock:held:{resource}")
}

fn unavailable(error: CacheError) -> LockError {
    match error {
        CacheError::Unavailable(reason) => LockError::Unavailable(reason),
        other => LockError::Unavailable(other.to_string()),
    }
}

/// [`LockService`] over a [`Cache`]. The embedded deployment keeps its leases in a
/// [`MemoryCache`] of their own ([`CacheLockService::in_memory`]), as a real one
/// keeps them in a Redis database that no cache eviction touches.
#[derive(Debug, Clone)]
pub struct CacheLockService {
    cache: Arc<dyn Cache>,
    /// The clock `cache` judges expiry by: lease expiry instants are stated on it.
    clock: SharedClock,
}

impl CacheLockService {
    /// A lock service keeping its leases in `cache`, whose expiry follows `clock`.
    pub fn new(cache: Arc<dyn Cache>, clock: SharedClock) -> Self {
        Self { cache, clock }
    }

    /// A lock service with no leases, over a fresh in-memory cache on `clock`.
    pub fn in_memory(clock: SharedClock) -> Self {
        Self::new(Arc::new(MemoryCache::new(clock.clone())), clock)
    }

    /// The live lease on `resource`, if any (for diagnostics and tests).
    pub async fn holder(&self, resource: &str) -> Result<Option<Lease>, LockError> {
        let key = held_key(resource);
        let Some(bytes) = self.cache.get(&key).await.map_err(unavailable)? else {
            return Ok(None);
        };
        let held: Held = serde_json::from_slice(&bytes).map_err(|e| {
            LockError::Unavailable(format!("unreadable lease on `{resource}`: {e}"))
        })?;
        let Some(remaining) = self.cache.ttl(&key).await.map_err(unavailable)? else {
            return Ok(None);
        };
        Ok(Some(Lease {
            resource: resource.to_owned(),
            owner: held.owner,
            token: FencingToken(held.token),
            expires_at: self.clock.now() + chrono_duration(remaining),
        }))
    }

    /// The next fencing token. It is drawn before the grant is tried: a try that
    /// finds the resource held wastes one, and a grant that lost the race to a later
    /// draw carries a token storage may already have seen surpassed, so fencing
    /// refuses its writes (never the other way round).
    async fn next_token(&self) -> Result<FencingToken, LockError> {
        let drawn = self
            .cache
            .incr(FENCING_KEY, 1, None)
            .await
            .map_err(unavailable)?;
        u64::try_from(drawn)
            .map(FencingToken)
            .map_err(|_| LockError::Unavailable(format!("fencing counter at {drawn}")))
    }
}

#[async_trait]
impl LockService for CacheLockService {
    async fn try_acquire(
        &self,
        resource: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<Lease>, LockError> {
        validate_lease_ttl(ttl)?;
        let token = self.next_token().await?;
        let held = Held {
            owner: owner.to_owned(),
            token: token.0,
        };
        let granted = self
            .cache
            .set_if_absent(&held_key(resource), held.encode(), Some(ttl))
            .await
            .map_err(unavailable)?;
        Ok(granted.then(|| Lease {
            resource: resource.to_owned(),
            owner: owner.to_owned(),
            token,
            expires_at: self.clock.now() + chrono_duration(ttl),
        }))
    }

    async fn renew(&self, lease: &Lease, ttl: Duration) -> Result<Lease, LockError> {
        validate_lease_ttl(ttl)?;
        let renewed = self
            .cache
            .expire_if_equals(&held_key(&lease.resource), &Held::of(lease).encode(), ttl)
            .await
            .map_err(unavailable)?;
        if !renewed {
            return Err(LockError::NotHeld {
                resource: lease.resource.clone(),
                owner: lease.owner.clone(),
            });
        }
        Ok(Lease {
            expires_at: self.clock.now() + chrono_duration(ttl),
            ..lease.clone()
        })
    }

    async fn release(&self, lease: &Lease) -> Result<bool, LockError> {
        self.cache
            .delete_if_equals(&held_key(&lease.resource), &Held::of(lease).encode())
            .await
            .map_err(unavailable)
    }
}
