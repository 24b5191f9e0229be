//! Stand-ins for shared backends that more than one suite needs: a cache that
//! is down, for the paths that must fall back when Redis is unreachable, and a
//! cache that lets another client act between two calls of the code under test.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use mediaflow_shared::BoxFuture;
use mediaflow_shared::cache::{Cache, CacheError};

/// A cache whose every call fails as an unreachable Redis would
/// ([`CacheError::Unavailable`], "connection refused").
#[derive(Debug, Clone, Copy, Default)]
pub struct DownCache;

impl DownCache {
    fn refused() -> CacheError {
        CacheError::Unavailable("connection refused".to_owned())
    }
}

#[async_trait]
impl Cache for DownCache {
    async fn get(&self, _: &str) -> Result<Option<Vec<u8>>, CacheError> {
        Err(Self::refused())
    }

    async fn set(&self, _: &str, _: Vec<u8>, _: Option<Duration>) -> Result<(), CacheError> {
        Err(Self::refused())
    }

    async fn set_if_absent(
        &self,
        _: &str,
        _: Vec<u8>,
        _: Option<Duration>,
    ) -> Result<bool, CacheError> {
        Err(Self::refused())
    }

    async fn delete(&self, _: &str) -> Result<bool, CacheError> {
        Err(Self::refused())
    }

    async fn delete_if_equals(&self, _: &str, _: &[u8]) -> Result<bool, CacheError> {
        Err(Self::refused())
    }

    async fn expire_if_equals(&self, _: &str, _: &[u8], _: Duration) -> Result<bool, CacheError> {
        Err(Self::refused())
    }

    async fn incr(&self, _: &str, _: i64, _: Option<Duration>) -> Result<i64, CacheError> {
        Err(Self::refused())
    }

    async fn ttl(&self, _: &str) -> Result<Option<Duration>, CacheError> {
        Err(Self::refused())
    }
}

/// What another client does while the code under test is between two cache calls.
pub type Interlude = Box<dyn FnOnce() -> BoxFuture<'static, ()> + Send>;

/// A cache that runs an [`Interlude`] right after it answers the next `get`, before
/// the caller sees the answer: the deterministic version of another client being
/// scheduled between a read and the command that acts on it. Everything else is
/// passed to the wrapped cache.
pub struct InterleavingCache {
    inner: Arc<dyn Cache>,
    after_next_get: Mutex<Option<Interlude>>,
}

impl fmt::Debug for InterleavingCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InterleavingCache")
            .field("inner", &self.inner)
            .field("armed", &self.is_armed())
            .finish()
    }
}

impl InterleavingCache {
    /// A pass-through wrapper around `inner`, with nothing armed.
    pub fn new(inner: Arc<dyn Cache>) -> Self {
        Self {
            inner,
            after_next_get: Mutex::new(None),
        }
    }

    /// Runs `interlude` right after the next `get` answers.
    pub fn after_next_get(
        &self,
        interlude: impl FnOnce() -> BoxFuture<'static, ()> + Send + 'static,
    ) {
        *self.slot() = Some(Box::new(interlude));
    }

    /// Whether an interlude is still waiting for a `get`.
    pub fn is_armed(&self) -> bool {
        self.slot().is_some()
    }

    /// Runs the armed interlude now, when no `get` came to run it; true when it ran
    /// here. Lets a test check the same outcome whether or not the code under test
    /// read before it acted.
    pub async fn run_if_still_armed(&self) -> bool {
        let pending = self.slot().take();
        match pending {
            Some(interlude) => {
                interlude().await;
                true
            }
            None => false,
        }
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Interlude>> {
        self.after_next_get
            .lock()
            .expect("interleaving cache poisoned")
    }
}

#[async_trait]
impl Cache for InterleavingCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let answer = self.inner.get(key).await;
        let pending = self.slot().take();
        if let Some(interlude) = pending {
            interlude().await;
        }
        answer
    }

    async fn set(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<(), CacheError> {
        self.inner.set(key, value, ttl).await
    }

    async fn set_if_absent(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<bool, CacheError> {
        self.inner.set_if_absent(key, value, ttl).await
    }

    async fn delete(&self, key: &str) -> Result<bool, CacheError> {
        self.inner.delete(key).await
    }

    async fn delete_if_equals(&self, key: &str, expected: &[u8]) -> Result<bool, CacheError> {
        self.inner.delete_if_equals(key, expected).await
    }

    async fn expire_if_equals(
        &self,
        key: &str,
        expected: &[u8],
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        self.inner.expire_if_equals(key, expected, ttl).await
    }

    async fn incr(
        &self,
        key: &str,
        by: i64,
        ttl_if_new: Option<Duration>,
    ) -> Result<i64, CacheError> {
        self.inner.incr(key, by, ttl_if_new).await
    }

    async fn ttl(&self, key: &str) -> Result<Option<Duration>, CacheError> {
        self.inner.ttl(key).await
    }
}
