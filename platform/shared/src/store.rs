//! SQL storage: the contract, the embedded SQLite engine (one database per
//! service), PostgreSQL (one schema per service), per-service migrations and
//! the value helpers both engines share, and the retry of a transaction that
//! lost to a concurrent one.

mod api;
mod conflicts;
mod migrate;
mod postgres;
mod sqlite;
mod values;

pub use api::{
    Dialect, FromSql, Row, SqlDatabases, SqlStore, SqlTransaction, SqlValue, StoreError,
};
pub use conflicts::{CONFLICT_ATTEMPTS, is_conflict, retry_conflicts};
pub use migrate::{Migration, MigrationReport, migrate};
pub use postgres::{
    DATABASE_POOL_VAR, DATABASE_URL_VAR, PostgresDatabases, PostgresSettings, PostgresStore,
};
pub use sqlite::{SqliteDatabases, SqliteStore};
pub use values::{like_contains, like_pattern, micros_to_timestamp, timestamp_to_micros};
