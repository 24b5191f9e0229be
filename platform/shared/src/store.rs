//! SQL storage: the contract, the embedded SQLite engine (one database per
//! service) and per-service migrations.

mod api;

pub use api::{
    Dialect, FromSql, Row, SqlDatabases, SqlStore, SqlTransaction, SqlValue, StoreError,
};
