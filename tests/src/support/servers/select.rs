//! Which servers a service test runs on: `MEDIAFLOW_TEST_INFRA=docker` (set by
//! `mediaflow test --infra docker`) puts the SQL store, the bus and (on the
//! system clock) the cache and the locks on the servers whose URLs are set;
//! anything else, or no URL, keeps the embedded backend.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use mediaflow_shared::Infra;
use mediaflow_shared::cache::{RedisCache, RedisSettings};
use mediaflow_shared::clock::SharedClock;
use mediaflow_shared::config::Env;
use mediaflow_shared::events::AmqpSettings;
use mediaflow_shared::lock::CacheLockService;
use mediaflow_shared::store::PostgresSettings;

use super::bus::PrefixedBus;
use super::schemas::DroppedSchemas;

/// `docker` puts service tests on the real servers; anything else keeps them embedded.
pub const INFRA_VAR: &str = "MEDIAFLOW_TEST_INFRA";
/// The PostgreSQL server of the SQL store.
pub const POSTGRES_URL_VAR: &str = "MEDIAFLOW_TEST_POSTGRES_URL";
/// The Redis server of the cache and the locks.
pub const REDIS_URL_VAR: &str = "MEDIAFLOW_TEST_REDIS_URL";
/// The RabbitMQ broker of the event bus.
pub const AMQP_URL_VAR: &str = "MEDIAFLOW_TEST_AMQP_URL";

/// The real servers the environment names for this test run.
#[derive(Debug, Clone, Default)]
pub struct TestServers {
    /// PostgreSQL, when named.
    pub postgres: Option<PostgresSettings>,
    /// Redis, when named.
    pub redis: Option<RedisSettings>,
    /// RabbitMQ, when named.
    pub amqp: Option<AmqpSettings>,
}

impl TestServers {
    /// The servers named by the environment; none unless `MEDIAFLOW_TEST_INFRA=docker`.
    /// A URL that does not parse is a broken run setup, so it panics naming the variable.
    pub fn from_env() -> Self {
        let env = Env::from_process();
        if env.raw(INFRA_VAR) != Some("docker") {
            return Self::default();
        }
        let parse = |var: &str, parse: &dyn Fn(&str) -> Result<(), String>| {
            env.raw(var).filter(|url| !url.is_empty()).inspect(|url| {
                if let Err(e) = parse(url) {
                    panic!("{var} must be {e}");
                }
            })
        };
        let postgres = parse(POSTGRES_URL_VAR, &|u| {
            PostgresSettings::from_url(u).map(drop)
        });
        let redis = parse(REDIS_URL_VAR, &|u| RedisSettings::from_url(u).map(drop));
        let amqp = parse(AMQP_URL_VAR, &|u| AmqpSettings::from_url(u).map(drop));
        Self {
            postgres: postgres.map(|u| PostgresSettings::from_url(u).expect("checked")),
            redis: redis.map(|u| RedisSettings::from_url(u).expect("checked")),
            amqp: amqp.map(|u| AmqpSettings::from_url(u).expect("checked")),
        }
    }

    /// `infra` with the backends these servers provide swapped in, each under
    /// names of one test. The cache and the locks move to Redis only when
    /// `clock_is_real`: Redis expires keys on its own clock, which a test's
    /// manual clock cannot move.
    pub fn apply(&self, mut infra: Infra, clock_is_real: bool) -> Infra {
        let test = unique_name();
        if let Some(postgres) = &self.postgres {
            let schemas = DroppedSchemas::new(postgres.clone(), &format!("{test}_"));
            infra = infra.with_databases(Arc::new(schemas));
        }
        if let Some(amqp) = &self.amqp {
            infra = infra.with_bus(Arc::new(PrefixedBus::new(
                amqp.clone(),
                &format!("{test}."),
            )));
        }
        if let Some(redis) = self.redis.as_ref().filter(|_| clock_is_real) {
            let prefix = format!("{}{test}:", redis.prefix());
            let cache = RedisCache::new(redis.clone().with_prefix(&format!("{prefix}cache:")));
            let locks = RedisCache::new(redis.clone().with_prefix(&format!("{prefix}locks:")));
            infra.locks = Arc::new(CacheLockService::new(Arc::new(locks), infra.clock.clone()));
            infra = infra.with_cache(Arc::new(cache));
        }
        infra
    }
}

/// A name no other test of this or an earlier run uses: `t` and 12 hex digits
/// (a valid schema, queue and key prefix, short enough for PostgreSQL's 63).
fn unique_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.write_u128(nanos);
    format!("t{:012x}", hasher.finish() & 0xffff_ffff_ffff)
}

/// The infrastructure of a service test on the system clock: embedded, or on
/// the real servers of [`TestServers::from_env`].
pub fn service_infra() -> Infra {
    TestServers::from_env().apply(Infra::embedded(), true)
}

/// The infrastructure of a service test on `clock` (a manual one) with ids
/// seeded by `seed`: embedded, or with the SQL store and the bus on the real
/// servers; the cache and the locks stay embedded on `clock` (see
/// [`TestServers::apply`]).
pub fn service_infra_on(clock: SharedClock, seed: u64) -> Infra {
    TestServers::from_env().apply(Infra::embedded_with_clock(clock, seed), false)
}
