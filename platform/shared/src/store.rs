//! SQL storage: the contract, the embedded SQLite engine (one database per
//! service), PostgreSQL (one schema per service), per-service migrations and
//! the value helpers both engines share.

mod api;
mod migrate;
mod postgres;
mod sqlite;
mod values;

pub use api::{
    Dialect, FromSql, Row, SqlDatabases, SqlStore, SqlTransaction, SqlValue, StoreError,
};
pub use migrate::{Migration, MigrationReport, migrate};
pub use postgres::{
    DATABASE_POOL_VAR, DATABASE_URL_VAR, PostgresDatabases, PostgresSettings, PostgresStore,
};
pub use sqlite::{SqliteDatabases, SqliteStore};
pub use values::{like_contains, like_pattern, micros_to_timestamp, timestamp_to_micros};
