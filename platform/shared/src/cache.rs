//! Caching: the key/value contract, the in-memory backend, and the read-through
//! layer with single-flight loading, TTL jitter and stale-while-revalidate.

mod api;

pub use api::{Cache, CacheError};
