//! The storage side of fencing: a write carries the fencing token of the lease its
//! writer held, and storage refuses any token lower than one it has already seen,
//! so a writer that paused past its lease cannot overwrite its successor's work.

use std::collections::HashMap;
use std::sync::Mutex;

use thiserror::Error;

use super::api::FencingToken;

/// A write fenced off because a newer lease holder has written since.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error(
    "stale fencing token {presented} for `{resource}` (highest seen {highest}); \
     the lease lapsed, acquire the lock again before writing"
)]
pub struct StaleToken {
    /// The fenced resource.
    pub resource: String,
    /// Token the writer presented.
    pub presented: FencingToken,
    /// Highest token storage has accepted for the resource.
    pub highest: FencingToken,
}

/// Highest fencing token accepted per resource.
#[derive(Debug, Default)]
pub struct Fence {
    highest: Mutex<HashMap<String, FencingToken>>,
}

impl Fence {
    /// A fence that has seen no token yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepts `token` when it is at least the highest seen for `resource` (the
    /// same holder writes several times) and records it; rejects lower tokens.
    pub fn check(&self, resource: &str, token: FencingToken) -> Result<(), StaleToken> {
        let mut highest = self.highest.lock().expect("fence poisoned");
        match highest.get(resource) {
            Some(&seen) if token < seen => Err(StaleToken {
                resource: resource.to_owned(),
                presented: token,
                highest: seen,
            }),
            _ => {
                highest.insert(resource.to_owned(), token);
                Ok(())
            }
        }
    }

    /// Highest token accepted for `resource` so far.
    pub fn highest(&self, resource: &str) -> Option<FencingToken> {
        self.highest
            .lock()
            .expect("fence poisoned")
            .get(resource)
            .copied()
    }
}
