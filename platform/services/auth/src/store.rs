//! SQL access of the auth service: every statement it runs, parameterised, in SQL
//! that runs on SQLite and PostgreSQL alike. Statements that must commit together
//! take the caller's transaction; the rest run on the store directly.

mod attempts;
mod sessions;
mod users;

use std::sync::Arc;

use mediaflow_shared::clock::Timestamp;
use mediaflow_shared::store::{Row, SqlStore, StoreError, micros_to_timestamp};

pub(crate) use sessions::{NewRefreshToken, RevokeReason};
pub(crate) use users::NewUser;

/// The auth database.
#[derive(Debug, Clone)]
pub(crate) struct AuthStore {
    /// The service's database (`infra.database("auth")`).
    db: Arc<dyn SqlStore>,
}

impl AuthStore {
    /// Statements against `db`, which must be migrated.
    pub(crate) fn new(db: Arc<dyn SqlStore>) -> Self {
        Self { db }
    }

    /// The database, for opening transactions.
    pub(crate) fn db(&self) -> &dyn SqlStore {
        self.db.as_ref()
    }
}

/// A timestamp column stored as microseconds.
fn timestamp(row: &Row, column: &str) -> Result<Timestamp, StoreError> {
    let micros: i64 = row.get(column)?;
    micros_to_timestamp(micros).ok_or_else(|| StoreError::Decode {
        column: column.to_owned(),
        expected: "microseconds within the calendar's range",
        found: micros.to_string(),
    })
}

/// A nullable timestamp column stored as microseconds.
fn optional_timestamp(row: &Row, column: &str) -> Result<Option<Timestamp>, StoreError> {
    match row.get::<Option<i64>>(column)? {
        None => Ok(None),
        Some(_) => timestamp(row, column).map(Some),
    }
}
