//! The key/value cache contract (Redis-shaped): bytes with optional TTL, atomic
//! counters, set-if-absent and compare-then-delete/expire. Expiry follows the
//! injected clock.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use thiserror::Error;

/// Errors of the cache.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CacheError {
    /// `incr` on a value that is not an integer.
    #[error("value at `{0}` is not an integer")]
    NotAnInteger(String),
    /// The cache is unreachable.
    #[error("cache unavailable: {0}")]
    Unavailable(String),
}

/// A shared key/value cache.
#[async_trait]
pub trait Cache: Send + Sync + fmt::Debug {
    /// The value, unless absent or expired.
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError>;
    /// Stores a value; `ttl = None` keeps it until deleted.
    async fn set(&self, key: &str, value: Vec<u8>, ttl: Option<Duration>)
    -> Result<(), CacheError>;
    /// Stores only when absent (or expired); true when stored.
    async fn set_if_absent(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<bool, CacheError>;
    /// Deletes; true when a live value was removed.
    async fn delete(&self, key: &str) -> Result<bool, CacheError>;
    /// Deletes only while the live value equals `expected`, comparing and deleting
    /// in one atomic step (a script on Redis); true when deleted.
    async fn delete_if_equals(&self, key: &str, expected: &[u8]) -> Result<bool, CacheError>;
    /// Gives the key a new TTL only while its live value equals `expected`, in one
    /// atomic step; true when the TTL was replaced.
    async fn expire_if_equals(
        &self,
        key: &str,
        expected: &[u8],
        ttl: Duration,
    ) -> Result<bool, CacheError>;
    /// Atomically adds `by` (absent counts as 0) and returns the new value; a new
    /// key gets `ttl_if_new`, an existing key keeps its TTL.
    async fn incr(
        &self,
        key: &str,
        by: i64,
        ttl_if_new: Option<Duration>,
    ) -> Result<i64, CacheError>;
    /// Remaining time to live; `None` when absent or without expiry.
    async fn ttl(&self, key: &str) -> Result<Option<Duration>, CacheError>;
}
