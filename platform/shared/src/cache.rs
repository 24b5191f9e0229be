//! Caching: the key/value contract, the in-memory backend, and the read-through
//! layer with single-flight loading, TTL jitter and stale-while-revalidate.

mod api;
mod memory;
mod read_through;

pub use api::{Cache, CacheError};
pub use memory::{MemoryCache, MemoryCacheStats};
pub use read_through::{ReadThrough, ReadThroughError, ReadThroughPolicy, ReadThroughStats};
