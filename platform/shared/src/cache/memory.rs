//! The embedded cache backend: a map behind one mutex, with expiry judged by the
//! injected clock so tests move time instead of sleeping.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;

use super::api::{Cache, CacheError};
use crate::clock::{SharedClock, Timestamp, chrono_duration};

/// One stored value and the instant it stops being visible.
#[derive(Debug, Clone)]
struct Entry {
    value: Vec<u8>,
    /// `None` keeps the value until deleted.
    expires_at: Option<Timestamp>,
}

impl Entry {
    /// An entry is live strictly before its expiry instant, as in Redis.
    fn is_live(&self, now: Timestamp) -> bool {
        self.expires_at.is_none_or(|at| now < at)
    }
}

/// Counters of what the cache did, for performance tests and dashboards.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MemoryCacheStats {
    /// `get` calls that found a live value.
    pub hits: u64,
    /// `get` calls that found nothing (absent or expired).
    pub misses: u64,
    /// Values stored by `set`, a successful `set_if_absent`, or `incr`.
    pub writes: u64,
    /// Expired entries dropped from memory.
    pub expired: u64,
}

/// Reads a stored value as Redis does for `INCRBY` (its `string2ll`): an optional
/// minus sign then decimal digits without leading zeros (`0` alone is fine, `-0`,
/// `007`, `+1` and spaces are not), within `i64`.
fn parse_integer(value: &[u8]) -> Option<i64> {
    let text = std::str::from_utf8(value).ok()?;
    let digits = text.strip_prefix('-').unwrap_or(text);
    let canonical = match digits.as_bytes() {
        [b'0'] => digits.len() == text.len(),
        [first, rest @ ..] => (b'1'..=b'9').contains(first) && rest.iter().all(u8::is_ascii_digit),
        [] => false,
    };
    if !canonical {
        return None;
    }
    text.parse().ok()
}

/// `ttl` rounded up to whole milliseconds, the resolution of Redis expiries.
fn whole_millis(ttl: Duration) -> Duration {
    let sub_milli = ttl.subsec_nanos() % 1_000_000;
    if sub_milli == 0 {
        ttl
    } else {
        ttl.saturating_add(Duration::from_nanos(u64::from(1_000_000 - sub_milli)))
    }
}

/// In-process [`Cache`]: Redis semantics (bytes, TTLs, atomic counters) without a
/// server. Expired entries are invisible at once and purged lazily when touched or
/// by [`MemoryCache::purge_expired`].
#[derive(Debug)]
pub struct MemoryCache {
    clock: SharedClock,
    /// One lock for every operation: it is what makes `incr`, `set_if_absent`
    /// and the compare-then-delete/expire operations atomic.
    entries: Mutex<HashMap<String, Entry>>,
    hits: AtomicU64,
    misses: AtomicU64,
    writes: AtomicU64,
    expired: AtomicU64,
}

impl MemoryCache {
    /// An empty cache whose expiries follow `clock`.
    pub fn new(clock: SharedClock) -> Self {
        Self {
            clock,
            entries: Mutex::new(HashMap::new()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            expired: AtomicU64::new(0),
        }
    }

    /// Number of live entries right now.
    pub fn len(&self) -> usize {
        let now = self.clock.now();
        self.lock().values().filter(|e| e.is_live(now)).count()
    }

    /// Whether no live entry remains.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops every expired entry from memory; returns how many were dropped.
    pub fn purge_expired(&self) -> usize {
        let now = self.clock.now();
        let mut entries = self.lock();
        let before = entries.len();
        entries.retain(|_, e| e.is_live(now));
        let purged = before - entries.len();
        self.expired.fetch_add(purged as u64, Ordering::Relaxed);
        purged
    }

    /// A snapshot of the counters.
    pub fn stats(&self) -> MemoryCacheStats {
        MemoryCacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            expired: self.expired.load(Ordering::Relaxed),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().expect("memory cache poisoned")
    }

    /// The instant a value stored now with `ttl` expires. TTLs count in whole
    /// milliseconds, rounded up, as the Redis backend sends them (`PX`/`PEXPIRE`).
    fn expiry(&self, now: Timestamp, ttl: Option<Duration>) -> Option<Timestamp> {
        ttl.map(|ttl| now + chrono_duration(whole_millis(ttl)))
    }

    /// The live entry under `key`, dropping it first when it has expired.
    fn live<'a>(
        &self,
        entries: &'a mut HashMap<String, Entry>,
        key: &str,
        now: Timestamp,
    ) -> Option<&'a mut Entry> {
        if entries.get(key).is_some_and(|e| !e.is_live(now)) {
            entries.remove(key);
            self.expired.fetch_add(1, Ordering::Relaxed);
        }
        entries.get_mut(key)
    }
}

#[async_trait]
impl Cache for MemoryCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let now = self.clock.now();
        let mut entries = self.lock();
        let value = self.live(&mut entries, key, now).map(|e| e.value.clone());
        let counter = if value.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        Ok(value)
    }

    async fn set(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<(), CacheError> {
        let now = self.clock.now();
        let expires_at = self.expiry(now, ttl);
        self.lock()
            .insert(key.to_owned(), Entry { value, expires_at });
        self.writes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    async fn set_if_absent(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<bool, CacheError> {
        let now = self.clock.now();
        let mut entries = self.lock();
        if self.live(&mut entries, key, now).is_some() {
            return Ok(false);
        }
        let expires_at = self.expiry(now, ttl);
        entries.insert(key.to_owned(), Entry { value, expires_at });
        self.writes.fetch_add(1, Ordering::Relaxed);
        Ok(true)
    }

    async fn delete(&self, key: &str) -> Result<bool, CacheError> {
        let now = self.clock.now();
        let mut entries = self.lock();
        let removed = self.live(&mut entries, key, now).is_some();
        if removed {
            entries.remove(key);
        }
        Ok(removed)
    }

    async fn delete_if_equals(&self, key: &str, expected: &[u8]) -> Result<bool, CacheError> {
        let now = self.clock.now();
        let mut entries = self.lock();
        let matches = self
            .live(&mut entries, key, now)
            .is_some_and(|e| e.value == expected);
        if matches {
            entries.remove(key);
        }
        Ok(matches)
    }

    async fn expire_if_equals(
        &self,
        key: &str,
        expected: &[u8],
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        let now = self.clock.now();
        let mut entries = self.lock();
        let expires_at = self.expiry(now, Some(ttl));
        match self.live(&mut entries, key, now) {
            Some(entry) if entry.value == expected => {
                entry.expires_at = expires_at;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn incr(
        &self,
        key: &str,
        by: i64,
        ttl_if_new: Option<Duration>,
    ) -> Result<i64, CacheError> {
        let now = self.clock.now();
        let mut entries = self.lock();
        let not_an_integer = || CacheError::NotAnInteger(key.to_owned());
        let updated = match self.live(&mut entries, key, now) {
            Some(entry) => {
                let current = parse_integer(&entry.value).ok_or_else(not_an_integer)?;
                // Redis refuses an increment that would overflow rather than wrap.
                let updated = current.checked_add(by).ok_or_else(not_an_integer)?;
                entry.value = updated.to_string().into_bytes();
                updated
            }
            None => {
                let expires_at = self.expiry(now, ttl_if_new);
                entries.insert(
                    key.to_owned(),
                    Entry {
                        value: by.to_string().into_bytes(),
                        expires_at,
                    },
                );
                by
            }
        };
        self.writes.fetch_add(1, Ordering::Relaxed);
        Ok(updated)
    }

    async fn ttl(&self, key: &str) -> Result<Option<Duration>, CacheError> {
        let now = self.clock.now();
        let mut entries = self.lock();
        Ok(self
            .live(&mut entries, key, now)
            .and_then(|e| e.expires_at)
            .and_then(|at| (at - now).to_std().ok()))
    }
}
