//! The `Infra` bundle: every backend a service uses, built once at the edge and
//! handed to each service by value. A service never constructs a backend itself,
//! so the same service code runs on the embedded backends (the default), on real
//! ones, or on chaos decorators wrapped around either.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use thiserror::Error;

use crate::cache::{Cache, MemoryCache, RedisCache, RedisSettings};
use crate::chaos::NetworkFaults;
use crate::clock::{SharedClock, SystemClock};
use crate::config::{ConfigError, Env};
use crate::events::{AmqpSettings, EventBus, InMemoryBroker, RabbitBus};
use crate::ids::IdGenerator;
use crate::lock::{CacheLockService, LockService};
use crate::objects::{
    FsObjectStore, MemoryObjectStore, ObjectError, ObjectStore, S3ObjectStore, S3Settings,
};
use crate::registry::{ConsulRegistry, ConsulSettings, MemoryRegistry, ServiceRegistry};
use crate::store::{PostgresDatabases, PostgresSettings, SqlDatabases, SqlStore, SqliteDatabases};

/// Which backends an [`Infra`] runs on, for status lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InfraKind {
    /// In-process broker, SQLite, in-memory cache/registry/locks.
    Embedded,
    /// Some backends on real servers, the rest embedded.
    Mixed {
        /// The SQL store is on PostgreSQL.
        sql_on_postgres: bool,
        /// The cache and the locks are on Redis.
        cache_on_redis: bool,
        /// The event bus is on RabbitMQ.
        bus_on_rabbitmq: bool,
        /// Object storage is on S3.
        objects_on_s3: bool,
        /// The registry is on Consul.
        registry_on_consul: bool,
    },
}

impl fmt::Display for InfraKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Embedded => f.write_str("embedded"),
            Self::Mixed {
                sql_on_postgres,
                cache_on_redis,
                bus_on_rabbitmq,
                objects_on_s3,
                registry_on_consul,
            } => {
                let mut parts = Vec::new();
                if sql_on_postgres {
                    parts.push("SQL on PostgreSQL");
                }
                if cache_on_redis {
                    parts.push("cache and locks on Redis");
                }
                if bus_on_rabbitmq {
                    parts.push("events on RabbitMQ");
                }
                if objects_on_s3 {
                    parts.push("objects on S3");
                }
                if registry_on_consul {
                    parts.push("registry on Consul");
                }
                parts.push("the rest embedded");
                f.write_str(&parts.join(", "))
            }
        }
    }
}

/// Errors building an [`Infra`].
#[derive(Debug, Error)]
pub enum InfraError {
    /// A setting is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The data directory cannot be created.
    #[error(
        "cannot create the data directory {path}: {source}; choose a writable MEDIAFLOW_DATA_DIR"
    )]
    DataDir {
        /// Directory.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// The S3 client cannot be built.
    #[error("cannot use S3 object storage at {url}: {source}")]
    S3 {
        /// The URL, secret redacted.
        url: String,
        /// Cause.
        source: ObjectError,
    },
    /// The data directory cannot hold the objects.
    #[error("cannot open object storage under {path}: {source}")]
    Objects {
        /// Objects directory.
        path: PathBuf,
        /// Cause.
        source: ObjectError,
    },
}

/// Where embedded data lives, read once from `MEDIAFLOW_*` variables.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmbeddedSettings {
    /// `MEDIAFLOW_DATA_DIR`: databases and objects on disk there; in memory when unset.
    pub data_dir: Option<PathBuf>,
}

impl EmbeddedSettings {
    /// Reads the settings.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            data_dir: env.raw("MEDIAFLOW_DATA_DIR").map(PathBuf::from),
        })
    }
}

/// Which backends to build, read once from `MEDIAFLOW_*` variables: embedded ones,
/// with the SQL store on PostgreSQL when `MEDIAFLOW_DATABASE_URL` is set, the
/// cache and locks on Redis when `MEDIAFLOW_REDIS_URL` is set, the event bus on
/// RabbitMQ when `MEDIAFLOW_AMQP_URL` is set, objects on S3 when
/// `MEDIAFLOW_S3_URL` (or `MEDIAFLOW_S3_ENDPOINT`) is set and the registry on
/// Consul when `MEDIAFLOW_CONSUL_URL` is set.
#[derive(Debug, Clone, Default)]
pub struct InfraSettings {
    /// Where embedded data lives.
    pub embedded: EmbeddedSettings,
    /// The PostgreSQL server of the SQL store; the embedded SQLite when `None`.
    pub postgres: Option<PostgresSettings>,
    /// The Redis server of the cache and the locks; embedded ones when `None`.
    pub redis: Option<RedisSettings>,
    /// The RabbitMQ broker of the event bus; the embedded broker when `None`.
    pub amqp: Option<AmqpSettings>,
    /// The S3 server of object storage; the embedded store when `None`.
    pub s3: Option<S3Settings>,
    /// The Consul agent of the registry; the embedded registry when `None`.
    pub consul: Option<ConsulSettings>,
}

impl InfraSettings {
    /// Reads the settings.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            embedded: EmbeddedSettings::from_env(env)?,
            postgres: PostgresSettings::from_env(env)?,
            redis: RedisSettings::from_env(env)?,
            amqp: AmqpSettings::from_env(env)?,
            s3: S3Settings::from_env(env)?,
            consul: ConsulSettings::from_env(env)?,
        })
    }
}

/// Every backend of a deployment. Cloning shares the backends.
#[derive(Debug, Clone)]
pub struct Infra {
    /// Time source for every component.
    pub clock: SharedClock,
    /// The event bus.
    pub bus: Arc<dyn EventBus>,
    /// One SQL database per service.
    pub databases: Arc<dyn SqlDatabases>,
    /// The shared cache.
    pub cache: Arc<dyn Cache>,
    /// Object storage (uploads, renditions, thumbnails).
    pub objects: Arc<dyn ObjectStore>,
    /// Service discovery.
    pub registry: Arc<dyn ServiceRegistry>,
    /// Distributed locks.
    pub locks: Arc<dyn LockService>,
    /// Partitions injected by chaos tests; empty otherwise.
    pub network: Arc<NetworkFaults>,
    /// Identifier generation.
    pub ids: Arc<IdGenerator>,
    kind: InfraKind,
}

impl Infra {
    /// Embedded backends in memory on the system clock: the default, needs nothing installed.
    pub fn embedded() -> Self {
        Self::embedded_with(SystemClock::shared(), IdGenerator::random())
    }

    /// Embedded backends in memory on a given clock with seeded ids (tests).
    pub fn embedded_with_clock(clock: SharedClock, seed: u64) -> Self {
        Self::embedded_with(clock, IdGenerator::seeded(seed))
    }

    fn embedded_with(clock: SharedClock, ids: IdGenerator) -> Self {
        Self {
            bus: Arc::new(InMemoryBroker::new()),
            databases: Arc::new(SqliteDatabases::in_memory()),
            cache: Arc::new(MemoryCache::new(clock.clone())),
            objects: Arc::new(MemoryObjectStore::new()),
            registry: Arc::new(MemoryRegistry::new(clock.clone())),
            locks: Arc::new(CacheLockService::in_memory(clock.clone())),
            network: Arc::new(NetworkFaults::new()),
            ids: Arc::new(ids),
            clock,
            kind: InfraKind::Embedded,
        }
    }

    /// Embedded backends with databases and objects persisted under `dir`
    /// (`dir/db/<service>.sqlite3`, `dir/objects/`), so a dev platform keeps its
    /// data across restarts.
    pub fn embedded_at(dir: &Path, clock: SharedClock) -> Result<Self, InfraError> {
        let db_dir = dir.join("db");
        std::fs::create_dir_all(&db_dir).map_err(|source| InfraError::DataDir {
            path: db_dir.clone(),
            source,
        })?;
        let databases = SqliteDatabases::at_dir(db_dir);
        let objects_dir = dir.join("objects");
        let objects =
            FsObjectStore::new(objects_dir.clone()).map_err(|source| InfraError::Objects {
                path: objects_dir,
                source,
            })?;
        let mut infra = Self::embedded_with(clock, IdGenerator::random());
        infra.databases = Arc::new(databases);
        infra.objects = Arc::new(objects);
        Ok(infra)
    }

    /// Embedded backends as the settings say (in memory, or under `MEDIAFLOW_DATA_DIR`).
    pub fn from_embedded_settings(settings: &EmbeddedSettings) -> Result<Self, InfraError> {
        match &settings.data_dir {
            Some(dir) => Self::embedded_at(dir, SystemClock::shared()),
            None => Ok(Self::embedded()),
        }
    }

    /// The backends the settings select: embedded ones as
    /// [`Self::from_embedded_settings`] builds them, with the SQL store on
    /// PostgreSQL (one schema per service) when a server is configured, and the
    /// cache and the locks on Redis when a server is configured: the cache under
    /// `<prefix>cache:`, the leases and fencing counter under `<prefix>locks:`;
    /// the event bus on RabbitMQ, objects on S3 (bucket created on first use) and
    /// the registry on Consul when those are configured.
    pub fn from_settings(settings: &InfraSettings) -> Result<Self, InfraError> {
        let mut infra = Self::from_embedded_settings(&settings.embedded)?;
        if let Some(postgres) = &settings.postgres {
            infra = infra.with_databases(Arc::new(PostgresDatabases::new(postgres.clone())));
        }
        if settings.postgres.is_some()
            || settings.redis.is_some()
            || settings.amqp.is_some()
            || settings.s3.is_some()
            || settings.consul.is_some()
        {
            infra.kind = InfraKind::Mixed {
                sql_on_postgres: settings.postgres.is_some(),
                cache_on_redis: settings.redis.is_some(),
                bus_on_rabbitmq: settings.amqp.is_some(),
                objects_on_s3: settings.s3.is_some(),
                registry_on_consul: settings.consul.is_some(),
            };
        }
        if let Some(s3) = &settings.s3 {
            let objects = S3ObjectStore::new(s3.clone()).map_err(|source| InfraError::S3 {
                url: s3.redacted_url().to_owned(),
                source,
            })?;
            infra.objects = Arc::new(objects);
        }
        if let Some(amqp) = &settings.amqp {
            infra = infra.with_bus(Arc::new(RabbitBus::new(amqp.clone())));
        }
        if let Some(consul) = &settings.consul {
            infra = infra.with_registry(Arc::new(ConsulRegistry::new(consul.clone())));
        }
        if let Some(redis) = &settings.redis {
            let prefix = redis.prefix();
            let cache = RedisCache::new(redis.clone().with_prefix(&format!("{prefix}cache:")));
            let locks = RedisCache::new(redis.clone().with_prefix(&format!("{prefix}locks:")));
            infra.locks = Arc::new(CacheLockService::new(Arc::new(locks), infra.clock.clone()));
            infra = infra.with_cache(Arc::new(cache));
        }
        Ok(infra)
    }

    /// The backends the environment selects (see [`InfraSettings::from_env`]).
    pub fn from_env(env: &Env) -> Result<Self, InfraError> {
        Self::from_settings(&InfraSettings::from_env(env)?)
    }

    /// The database of one service.
    pub fn database(&self, service: &str) -> Arc<dyn SqlStore> {
        self.databases.database(service)
    }

    /// Which backends these are.
    pub fn kind(&self) -> InfraKind {
        self.kind
    }

    /// Replaces the bus (e.g. with a `ChaosBus` around the current one).
    #[must_use]
    pub fn with_bus(mut self, bus: Arc<dyn EventBus>) -> Self {
        self.bus = bus;
        self
    }

    /// Replaces the databases (e.g. with fault-injecting ones).
    #[must_use]
    pub fn with_databases(mut self, databases: Arc<dyn SqlDatabases>) -> Self {
        self.databases = databases;
        self
    }

    /// Replaces the cache.
    #[must_use]
    pub fn with_cache(mut self, cache: Arc<dyn Cache>) -> Self {
        self.cache = cache;
        self
    }

    /// Replaces the registry.
    #[must_use]
    pub fn with_registry(mut self, registry: Arc<dyn ServiceRegistry>) -> Self {
        self.registry = registry;
        self
    }

    /// Replaces the clock seen by services (e.g. a `SkewedClock`). Backends keep
    /// the clock they were built with, as real servers keep their own time.
    #[must_use]
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }
}
