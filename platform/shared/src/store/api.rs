//! The SQL store contract. Queries are parameterised only (`$1`, `$2`, … as in
//! PostgreSQL); SQL text is never built from values.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use thiserror::Error;

/// A value bound to a parameter or read from a column.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    /// SQL NULL.
    Null,
    /// 64-bit integer (`BIGINT`).
    Integer(i64),
    /// Double precision float.
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes (`BYTEA` / `BLOB`).
    Blob(Vec<u8>),
    /// Boolean (stored as 0/1 by SQLite).
    Bool(bool),
}

impl From<i64> for SqlValue {
    fn from(v: i64) -> Self {
        Self::Integer(v)
    }
}
impl From<i32> for SqlValue {
    fn from(v: i32) -> Self {
        Self::Integer(i64::from(v))
    }
}
impl From<u32> for SqlValue {
    fn from(v: u32) -> Self {
        Self::Integer(i64::from(v))
    }
}
impl From<f64> for SqlValue {
    fn from(v: f64) -> Self {
        Self::Real(v)
    }
}
impl From<bool> for SqlValue {
    fn from(v: bool) -> Self {
        Self::Bool(v)
    }
}
impl From<&str> for SqlValue {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}
impl From<String> for SqlValue {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}
impl From<&String> for SqlValue {
    fn from(v: &String) -> Self {
        Self::Text(v.clone())
    }
}
impl From<Vec<u8>> for SqlValue {
    fn from(v: Vec<u8>) -> Self {
        Self::Blob(v)
    }
}
impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

/// Builds a `Vec<SqlValue>` from heterogeneous values: `params![id, "x", 3]`.
#[macro_export]
macro_rules! params {
    () => { ::std::vec::Vec::<$crate::store::SqlValue>::new() };
    ($($v:expr),+ $(,)?) => { ::std::vec::Vec::from([$($crate::store::SqlValue::from($v)),+]) };
}

/// One result row; columns are looked up by name.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    columns: Arc<[String]>,
    values: Vec<SqlValue>,
}

/// Errors of the store.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum StoreError {
    /// A unique, foreign-key or check constraint rejected the write.
    #[error("constraint violated: {0}")]
    Constraint(String),
    /// A concurrent transaction conflicted (serialization failure, busy database).
    #[error("transaction conflict: {0}; retry the transaction")]
    Conflict(String),
    /// A column the caller asked for is not in the row.
    #[error("no column `{0}` in the result row")]
    NoSuchColumn(String),
    /// A column holds another type than the caller asked for.
    #[error("column `{column}` holds {found}, expected {expected}")]
    Decode {
        /// Column name.
        column: String,
        /// Wanted type.
        expected: &'static str,
        /// What was there.
        found: String,
    },
    /// A migration was edited after it was applied.
    #[error(
        "migration {version} `{name}` changed after it was applied; add a new migration instead"
    )]
    MigrationChanged {
        /// Version number.
        version: u32,
        /// Name.
        name: String,
    },
    /// The database refused the statement (syntax, missing table, …).
    #[error("sql error: {0}")]
    Sql(String),
    /// The database is unreachable.
    #[error("database unavailable: {0}")]
    Unavailable(String),
}

/// Conversion from a column value.
pub trait FromSql: Sized {
    /// Type name for error messages.
    const EXPECTED: &'static str;
    /// Converts, or `None` when the value has another type.
    fn from_sql(value: &SqlValue) -> Option<Self>;
}

impl FromSql for i64 {
    const EXPECTED: &'static str = "an integer";
    fn from_sql(value: &SqlValue) -> Option<Self> {
        match value {
            SqlValue::Integer(v) => Some(*v),
            _ => None,
        }
    }
}
impl FromSql for f64 {
    const EXPECTED: &'static str = "a float";
    fn from_sql(value: &SqlValue) -> Option<Self> {
        match value {
            SqlValue::Real(v) => Some(*v),
            #[expect(
                clippy::cast_precision_loss,
                reason = "SQL REAL columns may come back as integers"
            )]
            SqlValue::Integer(v) => Some(*v as f64),
            _ => None,
        }
    }
}
impl FromSql for bool {
    const EXPECTED: &'static str = "a boolean";
    fn from_sql(value: &SqlValue) -> Option<Self> {
        match value {
            SqlValue::Bool(v) => Some(*v),
            SqlValue::Integer(0) => Some(false),
            SqlValue::Integer(1) => Some(true),
            _ => None,
        }
    }
}
impl FromSql for String {
    const EXPECTED: &'static str = "text";
    fn from_sql(value: &SqlValue) -> Option<Self> {
        match value {
            SqlValue::Text(v) => Some(v.clone()),
            _ => None,
        }
    }
}
impl FromSql for Vec<u8> {
    const EXPECTED: &'static str = "bytes";
    fn from_sql(value: &SqlValue) -> Option<Self> {
        match value {
            SqlValue::Blob(v) => Some(v.clone()),
            _ => None,
        }
    }
}
impl<T: FromSql> FromSql for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    fn from_sql(value: &SqlValue) -> Option<Self> {
        match value {
            SqlValue::Null => Some(None),
            other => T::from_sql(other).map(Some),
        }
    }
}

impl Row {
    /// Builds a row; used by store implementations.
    pub fn new(columns: Arc<[String]>, values: Vec<SqlValue>) -> Self {
        Self { columns, values }
    }

    /// Column names in order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The raw value of a column.
    pub fn value(&self, column: &str) -> Result<&SqlValue, StoreError> {
        self.columns
            .iter()
            .position(|c| c == column)
            .map(|i| &self.values[i])
            .ok_or_else(|| StoreError::NoSuchColumn(column.to_owned()))
    }

    /// A typed column value.
    pub fn get<T: FromSql>(&self, column: &str) -> Result<T, StoreError> {
        let value = self.value(column)?;
        T::from_sql(value).ok_or_else(|| StoreError::Decode {
            column: column.to_owned(),
            expected: T::EXPECTED,
            found: format!("{value:?}"),
        })
    }
}

/// Which SQL engine is behind a store, for the rare statement that must differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// Embedded SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// One database.
#[async_trait]
pub trait SqlStore: Send + Sync + fmt::Debug {
    /// The engine.
    fn dialect(&self) -> Dialect;
    /// Runs a statement; returns the number of rows affected.
    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError>;
    /// Runs a query; returns all rows.
    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError>;
    /// Runs several statements without parameters (migrations, DDL).
    async fn execute_batch(&self, sql: &str) -> Result<(), StoreError>;
    /// Starts a transaction. Dropping it without `commit` rolls it back.
    async fn begin(&self) -> Result<Box<dyn SqlTransaction>, StoreError>;
}

/// An open transaction.
#[async_trait]
pub trait SqlTransaction: Send + fmt::Debug {
    /// Runs a statement inside the transaction.
    async fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError>;
    /// Runs a query inside the transaction.
    async fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError>;
    /// Commits.
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
    /// Rolls back.
    async fn rollback(self: Box<Self>) -> Result<(), StoreError>;
}

/// The databases of a deployment: one per service (`"catalog"`, `"billing"`, …).
pub trait SqlDatabases: Send + Sync + fmt::Debug {
    /// The database of a service; the same handle for the same name.
    fn database(&self, name: &str) -> Arc<dyn SqlStore>;
}
