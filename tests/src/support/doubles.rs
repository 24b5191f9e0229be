//! Stand-ins for shared backends that more than one suite needs: a cache that
//! is down, for the paths that must fall back when Redis is unreachable.

use std::time::Duration;

use async_trait::async_trait;
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

    async fn incr(&self, _: &str, _: i64, _: Option<Duration>) -> Result<i64, CacheError> {
        Err(Self::refused())
    }

    async fn ttl(&self, _: &str) -> Result<Option<Duration>, CacheError> {
        Err(Self::refused())
    }
}
