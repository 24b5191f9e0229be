//! The cache contract on a Redis server: one multiplexed connection per cache
//! (opened lazily, replaced when it drops), every round trip bounded by a timeout,
//! the compare-then-act operations and `incr` done by Lua scripts (EVALSHA, EVAL
//! when the server does not know the script yet) so they are atomic on the server.
//! Expiry follows the server's clock. TTLs are sent in whole milliseconds, rounded
//! up; a zero TTL means "expired at once", as on the embedded cache.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::MultiplexedConnection;
use redis::{AsyncConnectionConfig, Client, RedisError, Script};
use url::Url;

use super::api::{Cache, CacheError};
use crate::config::{ConfigError, Env, redacted_url};

/// The variable naming the Redis server of the cache and the locks.
pub const REDIS_URL_VAR: &str = "MEDIAFLOW_REDIS_URL";
/// The variable naming the key prefix (namespace) on that server.
pub const REDIS_PREFIX_VAR: &str = "MEDIAFLOW_REDIS_PREFIX";

/// How long opening a connection may take before [`CacheError::Unavailable`].
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Bound on one round trip; a lost connection fails at this point, never hangs.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

/// Deletes the key only while it holds `ARGV[1]`.
const DELETE_IF_EQUALS: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0";

/// Gives the key the TTL `ARGV[2]` (ms) only while it holds `ARGV[1]`.
const EXPIRE_IF_EQUALS: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0";

/// `INCRBY ARGV[1]`; a key that did not exist gets the TTL `ARGV[2]` (ms, empty
/// for none), an existing key keeps its own. The new value is returned as the
/// stored text: a Lua number is a double and would round values past 2^53.
const INCR: &str = r"
local existed = redis.call('EXISTS', KEYS[1])
redis.call('INCRBY', KEYS[1], ARGV[1])
local value = redis.call('GET', KEYS[1])
if existed == 0 and ARGV[2] ~= '' then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return value";

/// Where the Redis cache connects, read from `MEDIAFLOW_REDIS_URL`.
#[derive(Clone)]
pub struct RedisSettings {
    client: Client,
    /// The URL with the password replaced by `***`, for messages.
    redacted: Arc<str>,
    /// Prepended to every key, so deployments and tests can share one server.
    prefix: String,
}

impl fmt::Debug for RedisSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSettings")
            .field("url", &self.redacted)
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl RedisSettings {
    /// The key prefix unless `MEDIAFLOW_REDIS_PREFIX` says otherwise.
    pub const DEFAULT_PREFIX: &str = "mediaflow:";

    /// Settings from a `redis://[:password@]host:port[/db]` URL, with the default prefix.
    pub fn from_url(url: &str) -> Result<Self, String> {
        let parsed = Url::parse(url).map_err(|e| format!("not a URL ({e})"))?;
        if parsed.scheme() != "redis" {
            return Err(format!("a redis:// URL, not {}://", parsed.scheme()));
        }
        let redacted = redacted_url(&parsed);
        let client = Client::open(url).map_err(|e| format!("a Redis URL ({e})"))?;
        Ok(Self {
            client,
            redacted: Arc::from(redacted),
            prefix: Self::DEFAULT_PREFIX.to_owned(),
        })
    }

    /// The settings when `MEDIAFLOW_REDIS_URL` is set, `None` when it is not.
    pub fn from_env(env: &Env) -> Result<Option<Self>, ConfigError> {
        let Some(url) = env.raw(REDIS_URL_VAR) else {
            return Ok(None);
        };
        let settings = Self::from_url(url).map_err(|expected| {
            let shown = Url::parse(url).map_or_else(|_| "***".to_owned(), |u| redacted_url(&u));
            ConfigError::Invalid {
                var: REDIS_URL_VAR.to_owned(),
                value: shown,
                expected,
            }
        })?;
        Ok(Some(match env.raw(REDIS_PREFIX_VAR) {
            Some(prefix) => settings.with_prefix(prefix),
            None => settings,
        }))
    }

    /// The same settings with another key prefix.
    #[must_use]
    pub fn with_prefix(mut self, prefix: &str) -> Self {
        prefix.clone_into(&mut self.prefix);
        self
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The URL with the password redacted.
    pub fn redacted_url(&self) -> &str {
        &self.redacted
    }
}

/// [`Cache`] on a Redis server. Cloning shares the connection.
#[derive(Clone)]
pub struct RedisCache {
    settings: RedisSettings,
    /// The open connection, if any; replaced when it is found dropped (its driver
    /// task lives on the runtime that opened it, so a test's runtime ending drops it).
    connection: Arc<Mutex<Option<MultiplexedConnection>>>,
    delete_if_equals: Arc<Script>,
    expire_if_equals: Arc<Script>,
    incr: Arc<Script>,
}

impl fmt::Debug for RedisCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisCache")
            .field("url", &self.settings.redacted)
            .field("prefix", &self.settings.prefix)
            .finish_non_exhaustive()
    }
}

/// Milliseconds for `PX`/`PEXPIRE`, rounded up so a value lives at least its TTL.
fn millis(ttl: Duration) -> u64 {
    let whole = ttl.as_millis();
    let rounded = if ttl.subsec_nanos().is_multiple_of(1_000_000) {
        whole
    } else {
        whole + 1
    };
    u64::try_from(rounded).unwrap_or(u64::MAX)
}

impl RedisCache {
    /// A cache on the server of `settings`; connects on first use.
    pub fn new(settings: RedisSettings) -> Self {
        Self {
            settings,
            connection: Arc::new(Mutex::new(None)),
            delete_if_equals: Arc::new(Script::new(DELETE_IF_EQUALS)),
            expire_if_equals: Arc::new(Script::new(EXPIRE_IF_EQUALS)),
            incr: Arc::new(Script::new(INCR)),
        }
    }

    /// The settings (URL redacted in messages, prefix).
    pub fn settings(&self) -> &RedisSettings {
        &self.settings
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.settings.prefix)
    }

    fn unavailable(&self, error: &RedisError) -> CacheError {
        let url = &self.settings.redacted;
        if error.is_connection_refusal() {
            CacheError::Unavailable(format!("Redis at {url} refused the connection: {error}"))
        } else {
            CacheError::Unavailable(format!("Redis at {url}: {error}"))
        }
    }

    async fn connection(&self) -> Result<MultiplexedConnection, CacheError> {
        if let Some(connection) = self.slot().clone() {
            return Ok(connection);
        }
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(CONNECT_TIMEOUT))
            .set_response_timeout(Some(CALL_TIMEOUT));
        let opened = tokio::time::timeout(
            CONNECT_TIMEOUT + Duration::from_secs(1),
            self.settings
                .client
                .get_multiplexed_async_connection_with_config(&config),
        )
        .await
        .map_err(|_| {
            CacheError::Unavailable(format!(
                "Redis at {} did not accept a connection within {CONNECT_TIMEOUT:?}",
                self.settings.redacted
            ))
        })?
        .map_err(|e| self.unavailable(&e))?;
        *self.slot() = Some(opened.clone());
        Ok(opened)
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<MultiplexedConnection>> {
        self.connection
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs one round trip, bounded by [`CALL_TIMEOUT`]. A connection found
    /// dropped is replaced and the call tried once more on the new one.
    async fn run<T, F, Fut>(&self, key: &str, call: F) -> Result<T, CacheError>
    where
        F: Fn(MultiplexedConnection) -> Fut,
        Fut: Future<Output = Result<T, RedisError>>,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let connection = self.connection().await?;
            match tokio::time::timeout(CALL_TIMEOUT + Duration::from_secs(1), call(connection))
                .await
            {
                Ok(Ok(value)) => return Ok(value),
                // An error reply: the connection is fine.
                Ok(Err(error)) if error.code().is_some() => {
                    return Err(self.server_error(key, &error));
                }
                Ok(Err(error)) => {
                    self.slot().take();
                    if attempt == 1
                        && (error.is_connection_dropped() || error.is_unrecoverable_error())
                    {
                        continue;
                    }
                    return Err(self.unavailable(&error));
                }
                Err(_) => {
                    self.slot().take();
                    return Err(CacheError::Unavailable(format!(
                        "Redis at {} did not answer within {CALL_TIMEOUT:?}; the connection may be lost",
                        self.settings.redacted
                    )));
                }
            }
        }
    }

    /// An error reply: `INCRBY` on a non-integer or past `i64` is
    /// [`CacheError::NotAnInteger`], as on the embedded cache.
    fn server_error(&self, key: &str, error: &RedisError) -> CacheError {
        let text = error.to_string();
        if text.contains("not an integer") || text.contains("overflow") {
            CacheError::NotAnInteger(key.to_owned())
        } else {
            self.unavailable(error)
        }
    }
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let k = self.key(key);
        self.run(key, |mut c| {
            let k = k.clone();
            async move { redis::cmd("GET").arg(k).query_async(&mut c).await }
        })
        .await
    }

    async fn set(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<(), CacheError> {
        let k = self.key(key);
        match ttl.map(millis) {
            // Stored and expired at once: nothing stays visible.
            Some(0) => self.delete(key).await.map(|_| ()),
            ms => {
                self.run(key, |mut c| {
                    let mut cmd = redis::cmd("SET");
                    cmd.arg(&k).arg(&value);
                    if let Some(ms) = ms {
                        cmd.arg("PX").arg(ms);
                    }
                    async move { cmd.query_async::<()>(&mut c).await }
                })
                .await
            }
        }
    }

    async fn set_if_absent(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Option<Duration>,
    ) -> Result<bool, CacheError> {
        let k = self.key(key);
        match ttl.map(millis) {
            // Stored and expired at once when absent: only the answer remains.
            Some(0) => {
                let exists: i64 = self
                    .run(key, |mut c| {
                        let k = k.clone();
                        async move { redis::cmd("EXISTS").arg(k).query_async(&mut c).await }
                    })
                    .await?;
                Ok(exists == 0)
            }
            ms => {
                let stored: Option<String> = self
                    .run(key, |mut c| {
                        let mut cmd = redis::cmd("SET");
                        cmd.arg(&k).arg(&value).arg("NX");
                        if let Some(ms) = ms {
                            cmd.arg("PX").arg(ms);
                        }
                        async move { cmd.query_async(&mut c).await }
                    })
                    .await?;
                Ok(stored.is_some())
            }
        }
    }

    async fn delete(&self, key: &str) -> Result<bool, CacheError> {
        let k = self.key(key);
        let removed: i64 = self
            .run(key, |mut c| {
                let k = k.clone();
                async move { redis::cmd("DEL").arg(k).query_async(&mut c).await }
            })
            .await?;
        Ok(removed > 0)
    }

    async fn delete_if_equals(&self, key: &str, expected: &[u8]) -> Result<bool, CacheError> {
        let k = self.key(key);
        let deleted: i64 = self
            .run(key, |mut c| {
                let mut invocation = self.delete_if_equals.key(&k);
                invocation.arg(expected);
                async move { invocation.invoke_async(&mut c).await }
            })
            .await?;
        Ok(deleted > 0)
    }

    async fn expire_if_equals(
        &self,
        key: &str,
        expected: &[u8],
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        let k = self.key(key);
        let ms = millis(ttl);
        let replaced: i64 = self
            .run(key, |mut c| {
                let mut invocation = self.expire_if_equals.key(&k);
                invocation.arg(expected).arg(ms);
                async move { invocation.invoke_async(&mut c).await }
            })
            .await?;
        Ok(replaced > 0)
    }

    async fn incr(
        &self,
        key: &str,
        by: i64,
        ttl_if_new: Option<Duration>,
    ) -> Result<i64, CacheError> {
        let k = self.key(key);
        let ms = ttl_if_new.map_or_else(String::new, |ttl| millis(ttl).to_string());
        let value: String = self
            .run(key, |mut c| {
                let mut invocation = self.incr.key(&k);
                invocation.arg(by).arg(&ms);
                async move { invocation.invoke_async(&mut c).await }
            })
            .await?;
        value
            .parse()
            .map_err(|_| CacheError::NotAnInteger(key.to_owned()))
    }

    async fn ttl(&self, key: &str) -> Result<Option<Duration>, CacheError> {
        let k = self.key(key);
        let ms: i64 = self
            .run(key, |mut c| {
                let k = k.clone();
                async move { redis::cmd("PTTL").arg(k).query_async(&mut c).await }
            })
            .await?;
        // -2: absent; -1: no expiry.
        Ok(u64::try_from(ms).ok().map(Duration::from_millis))
    }
}
