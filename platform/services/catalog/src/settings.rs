//! The catalog's settings, read once at the edge from `MEDIAFLOW_*` variables and
//! passed by value into [`crate::start`].

use std::time::Duration;

use mediaflow_shared::auth::JwtSettings;
use mediaflow_shared::config::{ConfigError, Env};
use mediaflow_shared::http::HeartbeatSettings;

/// Standard port of the catalog service.
pub const DEFAULT_PORT: u16 = 3005;

/// Default TTL jitter, in percent of the TTL.
const DEFAULT_JITTER_PERCENT: u8 = 20;

/// How read-through caching behaves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CacheSettings {
    /// Freshness of a cached video (`GET /videos/{id}`).
    pub video_ttl: Duration,
    /// Freshness of a cached list page.
    pub list_ttl: Duration,
    /// Spread of each entry's freshness as a fraction of its TTL, so entries written
    /// together (a release) do not expire together.
    pub jitter: f64,
    /// How long an expired entry may still be served while one caller reloads it.
    pub stale_while_revalidate: Duration,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            video_ttl: Duration::from_secs(300),
            list_ttl: Duration::from_secs(60),
            jitter: f64::from(DEFAULT_JITTER_PERCENT) / 100.0,
            stale_while_revalidate: Duration::from_secs(30),
        }
    }
}

/// Everything the catalog service is configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Access-token verification.
    pub jwt: JwtSettings,
    /// Registry heartbeat timing.
    pub heartbeat: HeartbeatSettings,
    /// Read-through caching.
    pub cache: CacheSettings,
    /// Time between outbox relay passes when nothing wakes the relay; bounds how
    /// long an event whose first publish failed waits for its retry.
    pub outbox_tick: Duration,
    /// Events per relay pass.
    pub outbox_batch: usize,
    /// A snapshot is saved each time a video's version reaches a multiple of this,
    /// so loading a long-lived video replays at most this many events. 0 = never.
    pub snapshot_every: u64,
    /// Unacknowledged view events the view counter holds at once.
    pub view_prefetch: u16,
}

impl Settings {
    /// Production defaults around the given token settings.
    pub fn new(jwt: JwtSettings) -> Self {
        Self {
            jwt,
            heartbeat: HeartbeatSettings::default(),
            cache: CacheSettings::default(),
            outbox_tick: Duration::from_secs(1),
            outbox_batch: 100,
            snapshot_every: 50,
            view_prefetch: 32,
        }
    }

    /// Reads the JWT settings (`MEDIAFLOW_JWT_*`), `MEDIAFLOW_HEARTBEAT_TTL`,
    /// `MEDIAFLOW_HEARTBEAT_INTERVAL`, `MEDIAFLOW_CATALOG_VIDEO_CACHE_TTL`,
    /// `MEDIAFLOW_CATALOG_LIST_CACHE_TTL`, `MEDIAFLOW_CATALOG_CACHE_JITTER_PERCENT`
    /// (0–90), `MEDIAFLOW_CATALOG_CACHE_STALE`, `MEDIAFLOW_CATALOG_OUTBOX_TICK`,
    /// `MEDIAFLOW_CATALOG_OUTBOX_BATCH` (1–10000), `MEDIAFLOW_CATALOG_SNAPSHOT_EVERY`
    /// and `MEDIAFLOW_CATALOG_VIEW_PREFETCH` (1–1000); unset variables keep the
    /// defaults of [`Settings::new`].
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let defaults = Self::new(JwtSettings::from_env(env)?);
        let heartbeat = HeartbeatSettings::from_env(env)?;
        let jitter_percent: u8 = env.number_in(
            "MEDIAFLOW_CATALOG_CACHE_JITTER_PERCENT",
            DEFAULT_JITTER_PERCENT,
            0,
            90,
        )?;
        let cache = CacheSettings {
            video_ttl: env.duration(
                "MEDIAFLOW_CATALOG_VIDEO_CACHE_TTL",
                defaults.cache.video_ttl,
            )?,
            list_ttl: env.duration("MEDIAFLOW_CATALOG_LIST_CACHE_TTL", defaults.cache.list_ttl)?,
            jitter: f64::from(jitter_percent) / 100.0,
            stale_while_revalidate: env.duration(
                "MEDIAFLOW_CATALOG_CACHE_STALE",
                defaults.cache.stale_while_revalidate,
            )?,
        };
        Ok(Self {
            heartbeat,
            cache,
            outbox_tick: env.duration("MEDIAFLOW_CATALOG_OUTBOX_TICK", defaults.outbox_tick)?,
            outbox_batch: env.number_in(
                "MEDIAFLOW_CATALOG_OUTBOX_BATCH",
                defaults.outbox_batch,
                1,
                10_000,
            )?,
            snapshot_every: env
                .number("MEDIAFLOW_CATALOG_SNAPSHOT_EVERY", defaults.snapshot_every)?,
            view_prefetch: env.number_in(
                "MEDIAFLOW_CATALOG_VIEW_PREFETCH",
                defaults.view_prefetch,
                1,
                1_000,
            )?,
            ..defaults
        })
    }
}
