//! A SQLite transaction: it owns the connection's lock from `BEGIN IMMEDIATE` to
//! `COMMIT`/`ROLLBACK`, so no other statement interleaves, and rolls back when
//! dropped unfinished.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::Connection;
use tokio::sync::{Mutex, OwnedMutexGuard};

use super::exec;
use crate::store::{Row, SqlTransaction, SqlValue, StoreError};

/// An open transaction on a [`super::SqliteStore`].
///
/// While it lives, every other user of the same store waits for the connection;
/// that is what isolates it. Never call the store itself from the task that holds
/// the transaction: run those statements through the transaction instead.
pub(super) struct SqliteTransaction {
    /// The connection, locked for the whole transaction.
    conn: OwnedMutexGuard<Connection>,
    /// Where the database lives, for diagnostics.
    location: Arc<str>,
}

impl SqliteTransaction {
    /// Locks the connection and starts a write transaction at once, so a conflict
    /// shows at `begin` rather than at the first write.
    pub(super) async fn begin(
        conn: Arc<Mutex<Connection>>,
        location: Arc<str>,
    ) -> Result<Self, StoreError> {
        let conn = super::lock_connection(conn.lock_owned(), &location).await?;
        if !conn.is_autocommit() {
            // A transaction whose rollback failed while being dropped left the
            // connection mid-transaction; finish it so this one starts clean.
            exec::execute_batch(&conn, "ROLLBACK")?;
        }
        exec::execute_batch(&conn, "BEGIN IMMEDIATE")?;
        Ok(Self { conn, location })
    }
}

impl fmt::Debug for SqliteTransaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteTransaction")
            .field("location", &self.location)
            .field("open", &!self.conn.is_autocommit())
            .finish()
    }
}

#[async_trait]
impl SqlTransaction for SqliteTransaction {
    async fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        exec::execute(&self.conn, sql, params)
    }

    async fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        exec::query(&self.conn, sql, params)
    }

    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        // A failed COMMIT (deferred constraint, busy file) leaves the transaction
        // open; dropping `self` below rolls it back so the caller sees all-or-nothing.
        exec::execute_batch(&self.conn, "COMMIT")
    }

    async fn rollback(self: Box<Self>) -> Result<(), StoreError> {
        exec::execute_batch(&self.conn, "ROLLBACK")
    }
}

impl Drop for SqliteTransaction {
    fn drop(&mut self) {
        if !self.conn.is_autocommit() {
            // Nothing can report an error from drop; if this rollback fails, the
            // next `begin` finishes it before starting.
            let _ = exec::execute_batch(&self.conn, "ROLLBACK");
        }
    }
}
