//! Distributed locks: the contract, the in-memory lock service, waiting with a
//! bound, and the fencing check storage uses to reject stale writers.

mod api;

pub use api::{FencingToken, Lease, LockError, LockService};
