//! The embedded SQL engine: SQLite through rusqlite, one connection per database.
//!
//! Statements run inline on the calling task while it holds the connection's lock.
//! That blocks the executor thread for the duration of one statement, which for an
//! embedded, mostly in-memory database is microseconds; a network database would
//! need a real pool instead.

mod exec;
mod transaction;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::Connection;
use tokio::sync::Mutex;

use self::transaction::SqliteTransaction;
use crate::store::{Dialect, Row, SqlDatabases, SqlStore, SqlTransaction, SqlValue, StoreError};

/// How long a statement waits for a lock on the database (another process's lock on
/// the file, or an open transaction of this process holding the connection) before
/// failing with [`StoreError::Conflict`]. Waiting forever would turn a transaction
/// that is never finished, or a store call made while the same task holds a
/// transaction, into a silent hang.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Waits for the connection at most [`BUSY_TIMEOUT`].
async fn lock_connection<G>(
    lock: impl Future<Output = G>,
    location: &str,
) -> Result<G, StoreError> {
    tokio::time::timeout(BUSY_TIMEOUT, lock).await.map_err(|_| {
        StoreError::Conflict(format!(
            "database `{location}` stayed busy for {BUSY_TIMEOUT:?}: a transaction holds it; \
             finish that transaction, and never call the store from a task that holds one"
        ))
    })
}

/// Prepared statements kept per connection; services reuse a few dozen statements.
const STATEMENT_CACHE: usize = 128;

/// One SQLite database behind the [`SqlStore`] contract.
///
/// A single connection is shared behind an async mutex: statements from different
/// tasks run one after another, and a transaction holds the connection until it
/// ends, which gives serializable isolation for free. Cloning shares the database.
#[derive(Clone)]
pub struct SqliteStore {
    /// The connection; transactions take the owned guard.
    conn: Arc<Mutex<Connection>>,
    /// `:memory:` or the file path, for diagnostics.
    location: Arc<str>,
}

impl SqliteStore {
    /// A private database that lives as long as this handle (and its clones).
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let conn = Connection::open_in_memory().map_err(exec::map_error)?;
        Self::configure(conn, ":memory:")
    }

    /// A database file, created if missing, in WAL mode so readers in other
    /// processes do not block the writer.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let conn = Connection::open(path).map_err(|err| match exec::map_error(err) {
            StoreError::Sql(text) | StoreError::Unavailable(text) => {
                StoreError::Unavailable(format!(
                    "cannot open `{}`: {text}; check the directory exists and is writable",
                    path.display()
                ))
            }
            other => other,
        })?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(exec::map_error)?;
        Self::configure(conn, &path.display().to_string())
    }

    /// Settings both kinds of database share.
    fn configure(conn: Connection, location: &str) -> Result<Self, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT).map_err(exec::map_error)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(exec::map_error)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            location: Arc::from(location),
        })
    }

    /// Where the database lives: `:memory:` or the file path.
    pub fn location(&self) -> &str {
        &self.location
    }
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl SqlStore for SqliteStore {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        let conn = lock_connection(self.conn.lock(), &self.location).await?;
        exec::execute(&conn, sql, params)
    }

    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        let conn = lock_connection(self.conn.lock(), &self.location).await?;
        exec::query(&conn, sql, params)
    }

    async fn execute_batch(&self, sql: &str) -> Result<(), StoreError> {
        let conn = lock_connection(self.conn.lock(), &self.location).await?;
        exec::execute_batch(&conn, sql)
    }

    async fn begin(&self) -> Result<Box<dyn SqlTransaction>, StoreError> {
        let tx =
            SqliteTransaction::begin(Arc::clone(&self.conn), Arc::clone(&self.location)).await?;
        Ok(Box::new(tx))
    }
}

/// Where [`SqliteDatabases`] keeps its databases.
#[derive(Debug, Clone)]
enum Location {
    /// Each database in memory, gone with the process.
    Memory,
    /// Each database a file `<dir>/<name>.sqlite3`.
    Dir(PathBuf),
}

/// The embedded databases of a deployment: one SQLite database per service name,
/// created on first use, the same handle for every later call with that name.
///
/// Names become file names, so only `[a-z0-9_-]+` is accepted. Names are constants
/// in the services' code, so a bad one is a programming error and panics at the
/// first call. A database that cannot be opened (unwritable directory, full disk)
/// is a runtime condition instead: the call returns a store whose every operation
/// fails with [`StoreError::Unavailable`], which readiness checks report, and the
/// next call for that name tries to open it again.
#[derive(Debug)]
pub struct SqliteDatabases {
    /// Memory or a directory.
    location: Location,
    /// Databases opened so far, by name.
    open: std::sync::Mutex<BTreeMap<String, Arc<SqliteStore>>>,
}

impl SqliteDatabases {
    /// Databases held in memory (tests, the embedded dev platform).
    pub fn in_memory() -> Self {
        Self {
            location: Location::Memory,
            open: std::sync::Mutex::new(BTreeMap::new()),
        }
    }

    /// Databases stored as files in `dir`, which is created when missing.
    pub fn at_dir(dir: impl Into<PathBuf>) -> Self {
        Self {
            location: Location::Dir(dir.into()),
            open: std::sync::Mutex::new(BTreeMap::new()),
        }
    }

    /// Whether `name` is usable as a database (and file) name.
    pub fn is_valid_name(name: &str) -> bool {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    }

    /// Opens the database `name` at this location.
    fn open_database(&self, name: &str) -> Result<SqliteStore, StoreError> {
        match &self.location {
            Location::Memory => SqliteStore::open_in_memory(),
            Location::Dir(dir) => {
                std::fs::create_dir_all(dir).map_err(|err| {
                    StoreError::Unavailable(format!(
                        "cannot create database directory `{}`: {err}; check its permissions",
                        dir.display()
                    ))
                })?;
                SqliteStore::open(dir.join(format!("{name}.sqlite3")))
            }
        }
    }
}

impl SqlDatabases for SqliteDatabases {
    fn database(&self, name: &str) -> Arc<dyn SqlStore> {
        assert!(
            Self::is_valid_name(name),
            "database name `{name}` is invalid: use lowercase letters, digits, `_` and `-` only \
             (the name becomes a file name)"
        );
        let mut open = self.open.lock().expect("database registry poisoned");
        if let Some(store) = open.get(name) {
            return Arc::clone(store) as Arc<dyn SqlStore>;
        }
        match self.open_database(name) {
            Ok(store) => {
                let store = Arc::new(store);
                open.insert(name.to_owned(), Arc::clone(&store));
                store
            }
            Err(err) => Arc::new(UnavailableStore {
                name: name.to_owned(),
                reason: err.to_string(),
            }),
        }
    }
}

/// Stands in for a database that could not be opened: every operation fails with
/// the reason, so the failure surfaces where the database is used.
#[derive(Debug)]
struct UnavailableStore {
    /// Database name.
    name: String,
    /// Why opening failed.
    reason: String,
}

impl UnavailableStore {
    fn error(&self) -> StoreError {
        StoreError::Unavailable(format!("database `{}`: {}", self.name, self.reason))
    }
}

#[async_trait]
impl SqlStore for UnavailableStore {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn execute(&self, _sql: &str, _params: &[SqlValue]) -> Result<u64, StoreError> {
        Err(self.error())
    }

    async fn query(&self, _sql: &str, _params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        Err(self.error())
    }

    async fn execute_batch(&self, _sql: &str) -> Result<(), StoreError> {
        Err(self.error())
    }

    async fn begin(&self) -> Result<Box<dyn SqlTransaction>, StoreError> {
        Err(self.error())
    }
}
