//! The PostgreSQL engine: one server database, one *schema* per service name
//! (`database("catalog")` is schema `catalog`), a small pool of connections per
//! schema, statements with PostgreSQL's own `$n` placeholders and explicitly typed
//! parameters. Values, errors and transaction behaviour match the embedded engine;
//! `tests/tests/integration/store_conformance.rs` holds both to the same tests.

mod exec;
mod pool;
mod transaction;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use url::Url;

use self::pool::{Pool, call};
use self::transaction::PostgresTransaction;
use crate::config::{ConfigError, Env, redacted_url};
use crate::store::{
    Dialect, Row, SqlDatabases, SqlStore, SqlTransaction, SqlValue, SqliteDatabases, StoreError,
};

/// The variable naming the PostgreSQL server of the SQL store.
pub const DATABASE_URL_VAR: &str = "MEDIAFLOW_DATABASE_URL";
/// The variable sizing the connection pool of each service's schema.
pub const DATABASE_POOL_VAR: &str = "MEDIAFLOW_DATABASE_POOL_SIZE";

/// Where the PostgreSQL store connects, read from `MEDIAFLOW_DATABASE_URL`.
#[derive(Clone)]
pub struct PostgresSettings {
    /// The parsed URL (credentials included).
    config: tokio_postgres::Config,
    /// The URL with the password replaced by `***`, for messages.
    redacted: Arc<str>,
    /// Connections per schema.
    pool_size: usize,
}

impl fmt::Debug for PostgresSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresSettings")
            .field("url", &self.redacted)
            .field("pool_size", &self.pool_size)
            .finish()
    }
}

impl PostgresSettings {
    /// Connections per schema unless `MEDIAFLOW_DATABASE_POOL_SIZE` says otherwise.
    pub const DEFAULT_POOL_SIZE: usize = 4;

    /// Settings from a `postgres://user:password@host:port/database` URL.
    pub fn from_url(url: &str) -> Result<Self, String> {
        let parsed = Url::parse(url).map_err(|e| format!("not a URL ({e})"))?;
        if !matches!(parsed.scheme(), "postgres" | "postgresql") {
            return Err(format!("a postgres:// URL, not {}://", parsed.scheme()));
        }
        let redacted = redacted_url(&parsed);
        let mut config =
            tokio_postgres::Config::from_str(url).map_err(|e| format!("a PostgreSQL URL ({e})"))?;
        config
            .connect_timeout(pool::CONNECT_TIMEOUT)
            .keepalives(true)
            .application_name("mediaflow");
        Ok(Self {
            config,
            redacted: Arc::from(redacted),
            pool_size: Self::DEFAULT_POOL_SIZE,
        })
    }

    /// The settings when `MEDIAFLOW_DATABASE_URL` is set, `None` when it is not.
    pub fn from_env(env: &Env) -> Result<Option<Self>, ConfigError> {
        let Some(url) = env.raw(DATABASE_URL_VAR) else {
            return Ok(None);
        };
        let mut settings = Self::from_url(url).map_err(|expected| {
            let shown = Url::parse(url).map_or_else(|_| "***".to_owned(), |u| redacted_url(&u));
            ConfigError::Invalid {
                var: DATABASE_URL_VAR.to_owned(),
                value: shown,
                expected,
            }
        })?;
        settings.pool_size = env.number_in(DATABASE_POOL_VAR, Self::DEFAULT_POOL_SIZE, 1, 64)?;
        Ok(Some(settings))
    }

    /// The same settings with another pool size (at least 1).
    #[must_use]
    pub fn with_pool_size(mut self, size: usize) -> Self {
        self.pool_size = size.max(1);
        self
    }

    /// The URL with the password redacted.
    pub fn redacted_url(&self) -> &str {
        &self.redacted
    }
}

/// One service's schema behind the [`SqlStore`] contract. Cloning shares the pool.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: Arc<Pool>,
}

impl PostgresStore {
    async fn run(&self, sql: &str, params: &[SqlValue]) -> Result<(Vec<Row>, u64), StoreError> {
        let mut conn = self.pool.acquire().await?;
        let result = call(exec::run(conn.client(), conn.url(), sql, params)).await;
        if result.is_err() {
            conn.discard();
        }
        result?
    }
}

#[async_trait]
impl SqlStore for PostgresStore {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        Ok(self.run(sql, params).await?.1)
    }

    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        Ok(self.run(sql, params).await?.0)
    }

    async fn execute_batch(&self, sql: &str) -> Result<(), StoreError> {
        self.pool.batch(sql).await
    }

    async fn begin(&self) -> Result<Box<dyn SqlTransaction>, StoreError> {
        let conn = self.pool.acquire().await?;
        Ok(Box::new(PostgresTransaction::begin(conn).await?))
    }
}

/// The databases of a deployment on one PostgreSQL database: a schema per service
/// name (created on first use), the same handle for every call with that name.
/// Nothing connects until a store is used, so building it never fails; an
/// unreachable server surfaces as [`StoreError::Unavailable`] naming the URL.
#[derive(Debug)]
pub struct PostgresDatabases {
    settings: PostgresSettings,
    /// Prepended to every schema name (tests isolate themselves with it).
    prefix: String,
    open: Mutex<BTreeMap<String, Arc<PostgresStore>>>,
}

impl PostgresDatabases {
    /// Databases on the server `settings` names.
    pub fn new(settings: PostgresSettings) -> Self {
        Self::with_schema_prefix(settings, "")
    }

    /// Databases whose schemas are named `<prefix><name>`, so several deployments
    /// (or tests) can share one server database. The prefix follows the rules of
    /// names: `[a-z0-9_-]*`.
    pub fn with_schema_prefix(settings: PostgresSettings, prefix: &str) -> Self {
        assert!(
            prefix.is_empty() || SqliteDatabases::is_valid_name(prefix),
            "schema prefix `{prefix}` is invalid: use lowercase letters, digits, `_` and `-` only"
        );
        Self {
            settings,
            prefix: prefix.to_owned(),
            open: Mutex::new(BTreeMap::new()),
        }
    }

    /// Drops the schemas this handle opened, with everything in them (tests and
    /// throwaway deployments clean up with it).
    pub async fn drop_schemas(&self) -> Result<(), StoreError> {
        let stores: Vec<(String, Arc<PostgresStore>)> = self
            .open
            .lock()
            .expect("database registry poisoned")
            .iter()
            .map(|(name, store)| (name.clone(), Arc::clone(store)))
            .collect();
        for (name, store) in stores {
            store
                .pool
                .batch(&format!(
                    "DROP SCHEMA IF EXISTS \"{}{name}\" CASCADE",
                    self.prefix
                ))
                .await?;
            store.pool.close_idle();
        }
        Ok(())
    }
}

impl SqlDatabases for PostgresDatabases {
    fn database(&self, name: &str) -> Arc<dyn SqlStore> {
        assert!(
            SqliteDatabases::is_valid_name(name),
            "database name `{name}` is invalid: use lowercase letters, digits, `_` and `-` only \
             (the name becomes a file name)"
        );
        let mut open = self.open.lock().expect("database registry poisoned");
        let store = open.entry(name.to_owned()).or_insert_with(|| {
            Arc::new(PostgresStore {
                pool: Arc::new(Pool::new(
                    self.settings.config.clone(),
                    format!("\"{}{name}\"", self.prefix),
                    Arc::clone(&self.settings.redacted),
                    self.settings.pool_size,
                )),
            })
        });
        Arc::clone(store) as Arc<dyn SqlStore>
    }
}
