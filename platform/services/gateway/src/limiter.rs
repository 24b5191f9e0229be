//! Rate limiting state: token buckets per key, on the injected clock.
//!
//! Buckets live in this process's memory, not in `infra.cache`: the cache
//! contract offers no atomic read-modify-write beyond `incr`, and a bucket read,
//! refilled and written back through `get`/`set` would let concurrent requests
//! spend the same token. The price is that each gateway instance enforces the
//! limit on its own share of the traffic.

use std::collections::HashMap;
use std::sync::Mutex;

use mediaflow_shared::clock::{SharedClock, Timestamp};

use crate::domain::rate_limit::{Admission, RateLimit, TokenBucket};

/// Token buckets for one limit, keyed by client (a user id or an IP address).
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    clock: SharedClock,
    max_tracked: usize,
    buckets: Mutex<HashMap<String, TokenBucket>>,
}

impl RateLimiter {
    /// A limiter applying `limit` to each key, remembering at most `max_tracked`
    /// buckets.
    pub fn new(limit: RateLimit, clock: SharedClock, max_tracked: usize) -> Self {
        Self {
            limit,
            clock,
            max_tracked: max_tracked.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The limit applied.
    pub fn limit(&self) -> &RateLimit {
        &self.limit
    }

    /// Takes one token from `key`'s bucket. Refill, check and take happen under one
    /// lock, so concurrent requests can never spend the same token twice.
    pub fn check(&self, key: &str) -> Admission {
        let now = self.clock.now();
        let mut buckets = self.buckets.lock().expect("rate limiter poisoned");
        if !buckets.contains_key(key) && buckets.len() >= self.max_tracked {
            self.evict(&mut buckets, now);
        }
        buckets
            .entry(key.to_owned())
            .or_insert_with(|| TokenBucket::full(&self.limit, now))
            .try_take(&self.limit, now)
    }

    /// Buckets currently remembered.
    pub fn tracked(&self) -> usize {
        self.buckets.lock().expect("rate limiter poisoned").len()
    }

    /// Forgets buckets that have refilled completely (forgetting those loses
    /// nothing); if every bucket is still draining, forgets the fullest one, whose
    /// reset to a full bucket gives away the least. Clients that are being
    /// limited (empty buckets) are the last to be forgotten.
    fn evict(&self, buckets: &mut HashMap<String, TokenBucket>, now: Timestamp) {
        buckets.retain(|_, bucket| !bucket.is_full(&self.limit, now));
        if buckets.len() < self.max_tracked {
            return;
        }
        let fullest = buckets
            .iter()
            .max_by_key(|(_, bucket)| bucket.level_at(&self.limit, now))
            .map(|(key, _)| key.clone());
        if let Some(key) = fullest {
            buckets.remove(&key);
        }
    }
}
