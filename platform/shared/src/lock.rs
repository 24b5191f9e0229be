//! Distributed locks: the contract, the in-memory lock service, waiting with a
//! bound, and the fencing check storage uses to reject stale writers.

mod api;
mod fence;
mod memory;
mod wait;

pub use api::{FencingToken, Lease, LockError, LockService};
pub use fence::{Fence, StaleToken};
pub use memory::{MAX_LEASE_TTL, MIN_LEASE_TTL, MemoryLockService, validate_lease_ttl};
pub use wait::acquire_within;
