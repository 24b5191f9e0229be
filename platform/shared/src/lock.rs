//! Distributed locks: the contract, the lock service over the cache, waiting with
//! a bound, and the fencing check storage uses to reject stale writers.

mod api;
mod cache;
mod fence;
mod wait;

pub use api::{FencingToken, Lease, LockError, LockService};
pub use cache::{CacheLockService, MAX_LEASE_TTL, MIN_LEASE_TTL, validate_lease_ttl};
pub use fence::{Fence, StaleToken};
pub use wait::acquire_within;
