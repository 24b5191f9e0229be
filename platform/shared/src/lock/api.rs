//! The distributed lock contract: leases with an owner token and a fencing token
//! that grows with every grant, so storage can reject a writer whose lease lapsed.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use thiserror::Error;

use crate::clock::Timestamp;

/// Monotonically increasing number handed out with each lease of a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FencingToken(pub u64);

impl fmt::Display for FencingToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A granted lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The locked resource.
    pub resource: String,
    /// Who holds it (unique per holder instance).
    pub owner: String,
    /// Fencing token of this grant.
    pub token: FencingToken,
    /// When the lease lapses, on the lock service's clock.
    pub expires_at: Timestamp,
}

/// Errors of the lock service.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum LockError {
    /// The lease lapsed or another owner holds the resource now.
    #[error("lease on `{resource}` is no longer held by `{owner}`")]
    NotHeld {
        /// Resource.
        resource: String,
        /// Would-be owner.
        owner: String,
    },
    /// Waiting for the lock took longer than allowed; the caller must not proceed.
    #[error("timed out after {waited:?} waiting for lock `{resource}`")]
    Timeout {
        /// Resource.
        resource: String,
        /// How long we waited.
        waited: Duration,
    },
    /// A zero or absurd TTL.
    #[error("invalid lease ttl {0:?}: must be between 1 ms and 1 hour")]
    InvalidTtl(Duration),
    /// The lock service is unreachable.
    #[error("lock service unavailable: {0}")]
    Unavailable(String),
}

/// A lock service.
#[async_trait]
pub trait LockService: Send + Sync + fmt::Debug {
    /// Grants a lease when the resource is free (or its lease lapsed); `None` when held.
    async fn try_acquire(
        &self,
        resource: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<Option<Lease>, LockError>;
    /// Extends a lease still held by its owner; the fencing token is unchanged.
    async fn renew(&self, lease: &Lease, ttl: Duration) -> Result<Lease, LockError>;
    /// Releases a lease only if it is still held by its owner (checked atomically);
    /// true when released.
    async fn release(&self, lease: &Lease) -> Result<bool, LockError>;
}
