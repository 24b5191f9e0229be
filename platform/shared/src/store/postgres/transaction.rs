//! A PostgreSQL transaction: one pooled connection from `BEGIN` to `COMMIT`/
//! `ROLLBACK`, at SERIALIZABLE isolation so it behaves like the embedded engine's
//! (which runs transactions one at a time): a concurrent read-modify-write fails
//! with [`StoreError::Conflict`] instead of losing an update.

use std::fmt;

use async_trait::async_trait;

use super::exec;
use super::pool::{Conn, call};
use crate::store::{Row, SqlTransaction, SqlValue, StoreError};

/// An open transaction on a [`super::PostgresStore`].
pub(super) struct PostgresTransaction {
    /// The connection; `None` once committed or rolled back.
    conn: Option<Conn>,
}

impl PostgresTransaction {
    pub(super) async fn begin(mut conn: Conn) -> Result<Self, StoreError> {
        match call(
            conn.client()
                .batch_execute("BEGIN ISOLATION LEVEL SERIALIZABLE"),
        )
        .await
        {
            Ok(Ok(())) => Ok(Self { conn: Some(conn) }),
            Ok(Err(err)) => {
                let mapped = exec::map_error(&err, conn.url());
                conn.discard();
                Err(mapped)
            }
            Err(timeout) => {
                conn.discard();
                Err(timeout)
            }
        }
    }

    fn conn(&mut self) -> &mut Conn {
        self.conn.as_mut().expect("an open transaction")
    }

    async fn run(&mut self, sql: &str, params: &[SqlValue]) -> Result<(Vec<Row>, u64), StoreError> {
        let conn = self.conn();
        let result = call(exec::run(conn.client(), conn.url(), sql, params)).await;
        if result.is_err() {
            // The round trip timed out: the session is in an unknown state.
            conn.discard();
        }
        result?
    }

    async fn finish(mut self: Box<Self>, statement: &str) -> Result<(), StoreError> {
        let mut conn = self.conn.take().expect("an open transaction");
        let result = call(conn.client().batch_execute(statement)).await;
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(err)) => {
                // A failed COMMIT ends the transaction on the server (rolled back).
                Err(exec::map_error(&err, conn.url()))
            }
            Err(timeout) => {
                conn.discard();
                Err(timeout)
            }
        }
    }
}

impl fmt::Debug for PostgresTransaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresTransaction")
            .field("open", &self.conn.is_some())
            .finish()
    }
}

#[async_trait]
impl SqlTransaction for PostgresTransaction {
    async fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        Ok(self.run(sql, params).await?.1)
    }

    async fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        Ok(self.run(sql, params).await?.0)
    }

    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.finish("COMMIT").await
    }

    async fn rollback(self: Box<Self>) -> Result<(), StoreError> {
        self.finish("ROLLBACK").await
    }
}

impl Drop for PostgresTransaction {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        // Dropped unfinished: roll back on the connection before it returns to the
        // pool (the task keeps the pool slot meanwhile). Without a runtime the
        // connection is closed instead, which makes the server roll back.
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(async move {
                    if !matches!(
                        call(conn.client().batch_execute("ROLLBACK")).await,
                        Ok(Ok(()))
                    ) {
                        conn.discard();
                    }
                });
            }
            Err(_) => conn.discard(),
        }
    }
}
