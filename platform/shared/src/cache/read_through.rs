//! Read-through caching over any [`Cache`]: one loader call per key however many
//! callers miss at once (single-flight), TTLs spread by seeded jitter so keys written
//! together do not expire together, and stale-while-revalidate so a hot key keeps
//! answering while one caller refreshes it.
//!
//! Values are stored as JSON next to the instants they stop being fresh and stop
//! being servable at all. The cache is an optimisation: when it fails, calls fall
//! back to the loader (still coalesced) instead of failing.

mod flight;

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use self::flight::{Flights, Leader, Outcome, Role};
use super::api::{Cache, CacheError};
use crate::clock::{SharedClock, Timestamp, chrono_duration};

/// How long loaded values stay fresh and how they age.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReadThroughPolicy {
    /// Nominal freshness of a loaded value.
    pub ttl: Duration,
    /// Spread of each write's freshness, as a fraction of `ttl`: each write lives
    /// `ttl × (1 ± jitter)`. Clamped to `0.0..=0.9`; anything else (NaN) means none.
    pub jitter: f64,
    /// After freshness ends, how long the old value may still be served while one
    /// caller reloads it. Zero turns stale-while-revalidate off.
    pub stale_while_revalidate: Duration,
}

/// Why a read-through call produced no value.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ReadThroughError<E> {
    /// The loader failed, for this caller or for the caller it waited on. Errors are
    /// never cached: the next call runs the loader again.
    #[error("loading the value failed (not cached; the next call retries the loader): {0}")]
    Load(#[source] E),
}

impl<E> ReadThroughError<E> {
    /// The loader's own error.
    pub fn into_load_error(self) -> E {
        match self {
            Self::Load(error) => error,
        }
    }
}

/// What the read-through layer did, to prove in tests that work was saved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadThroughStats {
    /// Calls answered with a fresh cached value.
    pub hits: u64,
    /// Calls that found no usable value in the cache.
    pub misses: u64,
    /// Loader invocations.
    pub loads: u64,
    /// Calls answered with a stale value while another caller refreshed it (or the
    /// refresh failed).
    pub stale_served: u64,
    /// Calls that waited for another caller's load instead of loading themselves.
    pub coalesced: u64,
    /// Stale-window refreshes whose loader failed (the stale value was served).
    pub refresh_failures: u64,
    /// Cache operations that failed and cached values that could not be decoded or
    /// encoded; each fell back to the loader or skipped caching.
    pub cache_errors: u64,
}

/// The JSON stored in the cache for one key.
#[derive(Debug, Serialize, Deserialize)]
struct Stored<T> {
    fresh_until: Timestamp,
    stale_until: Timestamp,
    value: T,
}

/// The same JSON, borrowed for writing without cloning the value.
#[derive(Debug, Serialize)]
struct StoredRef<'a, T> {
    fresh_until: Timestamp,
    stale_until: Timestamp,
    value: &'a T,
}

/// What the cache holds for a key, judged at the current time.
enum Cached<T> {
    Fresh(T),
    Stale(T),
    Missing,
}

#[derive(Debug, Default)]
struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
    loads: AtomicU64,
    stale_served: AtomicU64,
    coalesced: AtomicU64,
    refresh_failures: AtomicU64,
    cache_errors: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// Read-through layer: `get_or_load` answers from the cache or runs the loader
/// once per key for all concurrent callers.
#[derive(Debug)]
pub struct ReadThrough {
    cache: Arc<dyn Cache>,
    clock: SharedClock,
    policy: ReadThroughPolicy,
    /// Seeded so a test run spreads expiries the same way every time.
    rng: Mutex<fastrand::Rng>,
    /// Loads in progress, one per key.
    flights: Flights,
    counters: Counters,
}

impl ReadThrough {
    /// A read-through layer over `cache`; `seed` drives the TTL jitter.
    pub fn new(
        cache: Arc<dyn Cache>,
        clock: SharedClock,
        policy: ReadThroughPolicy,
        seed: u64,
    ) -> Self {
        let jitter = if policy.jitter.is_nan() {
            0.0
        } else {
            policy.jitter.clamp(0.0, 0.9)
        };
        Self {
            cache,
            clock,
            policy: ReadThroughPolicy { jitter, ..policy },
            rng: Mutex::new(fastrand::Rng::with_seed(seed)),
            flights: Flights::default(),
            counters: Counters::default(),
        }
    }

    /// The value under `key`: fresh from the cache, stale while one caller
    /// refreshes it, or loaded by exactly one of the concurrent callers that missed
    /// (the others wait for that result, success or error).
    pub async fn get_or_load<T, E, F, Fut>(
        &self,
        key: &str,
        loader: F,
    ) -> Result<T, ReadThroughError<E>>
    where
        T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
        E: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut missed = false;
        loop {
            match self.lookup::<T>(key).await {
                Cached::Fresh(value) => {
                    bump(&self.counters.hits);
                    return Ok(value);
                }
                Cached::Stale(stale) => {
                    return Ok(match self.flights.join_or_lead(key) {
                        Role::Lead(leader) => self.refresh(key, leader, loader, stale).await,
                        Role::Wait(_) => {
                            bump(&self.counters.stale_served);
                            stale
                        }
                    });
                }
                Cached::Missing => {}
            }
            if !missed {
                missed = true;
                bump(&self.counters.misses);
            }
            match self.flights.join_or_lead(key) {
                Role::Lead(leader) => return self.load(key, leader, loader).await,
                Role::Wait(waiter) => match waiter.outcome().await {
                    // The leader was cancelled before finishing: look again, and
                    // lead the next attempt if nobody else does.
                    None => {}
                    Some(outcome) => {
                        bump(&self.counters.coalesced);
                        return match outcome.downcast::<T, E>() {
                            Some(Ok(value)) => Ok(value),
                            Some(Err(error)) => Err(ReadThroughError::Load(error)),
                            // Another call site uses this key with other types;
                            // its result is no use here.
                            None => self.load_unshared(key, loader).await,
                        };
                    }
                },
            }
        }
    }

    /// Drops the cached value, and detaches any load in progress so that its
    /// (possibly outdated) result is not written back; true when a value was removed.
    pub async fn invalidate(&self, key: &str) -> Result<bool, CacheError> {
        self.flights.detach(key);
        self.cache.delete(key).await
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> ReadThroughStats {
        let c = &self.counters;
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        ReadThroughStats {
            hits: read(&c.hits),
            misses: read(&c.misses),
            loads: read(&c.loads),
            stale_served: read(&c.stale_served),
            coalesced: read(&c.coalesced),
            refresh_failures: read(&c.refresh_failures),
            cache_errors: read(&c.cache_errors),
        }
    }

    /// Runs the loader as the key's single flight and shares its result.
    async fn load<T, E, F, Fut>(
        &self,
        key: &str,
        leader: Leader<'_>,
        loader: F,
    ) -> Result<T, ReadThroughError<E>>
    where
        T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
        E: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        // A load that finished between our lookup and our flight registration has
        // already written the cache: use it instead of loading twice.
        if let Cached::Fresh(value) = self.lookup::<T>(key).await {
            leader.finish(Outcome::success(value.clone()));
            return Ok(value);
        }
        bump(&self.counters.loads);
        match loader().await {
            Ok(value) => {
                self.store(key, &value, &leader).await;
                leader.finish(Outcome::success(value.clone()));
                Ok(value)
            }
            Err(error) => {
                leader.finish(Outcome::failure(error.clone()));
                Err(ReadThroughError::Load(error))
            }
        }
    }

    /// Reloads a stale value as the key's single flight; if the loader fails the
    /// stale value, still within its window, is the answer.
    async fn refresh<T, E, F, Fut>(&self, key: &str, leader: Leader<'_>, loader: F, stale: T) -> T
    where
        T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
        E: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Cached::Fresh(value) = self.lookup::<T>(key).await {
            leader.finish(Outcome::success(value.clone()));
            return value;
        }
        bump(&self.counters.loads);
        match loader().await {
            Ok(value) => {
                self.store(key, &value, &leader).await;
                leader.finish(Outcome::success(value.clone()));
                value
            }
            Err(error) => {
                leader.finish(Outcome::failure(error));
                bump(&self.counters.refresh_failures);
                bump(&self.counters.stale_served);
                stale
            }
        }
    }

    /// Loads outside any flight: only when a concurrent flight for the key had
    /// results of other types.
    async fn load_unshared<T, E, F, Fut>(
        &self,
        key: &str,
        loader: F,
    ) -> Result<T, ReadThroughError<E>>
    where
        T: Serialize,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        bump(&self.counters.loads);
        let value = loader().await.map_err(ReadThroughError::Load)?;
        self.write(key, &value).await;
        Ok(value)
    }

    /// Reads and judges the cached entry; any cache or decoding failure is a miss.
    async fn lookup<T: DeserializeOwned>(&self, key: &str) -> Cached<T> {
        let bytes = match self.cache.get(key).await {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Cached::Missing,
            Err(_) => {
                bump(&self.counters.cache_errors);
                return Cached::Missing;
            }
        };
        let Ok(stored) = serde_json::from_slice::<Stored<T>>(&bytes) else {
            bump(&self.counters.cache_errors);
            return Cached::Missing;
        };
        let now = self.clock.now();
        if now < stored.fresh_until {
            Cached::Fresh(stored.value)
        } else if now < stored.stale_until {
            Cached::Stale(stored.value)
        } else {
            Cached::Missing
        }
    }

    /// Writes a loaded value unless the key was invalidated while it loaded.
    async fn store<T: Serialize>(&self, key: &str, value: &T, leader: &Leader<'_>) {
        if leader.is_detached() {
            return;
        }
        self.write(key, value).await;
        // An invalidation that raced with the write must win: remove what we wrote.
        if leader.is_detached() && self.cache.delete(key).await.is_err() {
            bump(&self.counters.cache_errors);
        }
    }

    async fn write<T: Serialize>(&self, key: &str, value: &T) {
        let fresh_for = self.jittered_ttl();
        let fresh_until = self.clock.now() + chrono_duration(fresh_for);
        let stale_until = fresh_until + chrono_duration(self.policy.stale_while_revalidate);
        let stored = StoredRef {
            fresh_until,
            stale_until,
            value,
        };
        let Ok(bytes) = serde_json::to_vec(&stored) else {
            bump(&self.counters.cache_errors);
            return;
        };
        let ttl = fresh_for.saturating_add(self.policy.stale_while_revalidate);
        if self.cache.set(key, bytes, Some(ttl)).await.is_err() {
            bump(&self.counters.cache_errors);
        }
    }

    /// `ttl × (1 ± jitter)`, drawn from the seeded generator.
    fn jittered_ttl(&self) -> Duration {
        let ttl = self.policy.ttl;
        if self.policy.jitter <= 0.0 {
            return ttl;
        }
        let unit = self.rng.lock().expect("read-through rng poisoned").f64();
        let factor = 1.0 + self.policy.jitter * (2.0 * unit - 1.0);
        Duration::try_from_secs_f64(ttl.as_secs_f64() * factor).unwrap_or(ttl)
    }
}
