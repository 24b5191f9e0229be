//! Caching: the key/value contract, the in-memory backend, and the read-through
//! layer with single-flight loading, TTL jitter and stale-while-revalidate.

mod api;
mod memory;
mod read_through;
mod redis_cache;

pub use api::{Cache, CacheError};
pub use memory::{MemoryCache, MemoryCacheStats};
pub use read_through::{ReadThrough, ReadThroughError, ReadThroughPolicy, ReadThroughStats};
pub use redis_cache::{REDIS_PREFIX_VAR, REDIS_URL_VAR, RedisCache, RedisSettings};
