//! A handle that is either the store itself or an open transaction, so one
//! repository function serves both autocommit reads and transactional writes.

use mediaflow_shared::store::{Row, SqlStore, SqlTransaction, SqlValue, StoreError};

/// Where a statement runs.
#[derive(Debug)]
pub enum Db<'a> {
    /// Directly on the store, each statement its own transaction.
    Store(&'a dyn SqlStore),
    /// Inside an open transaction.
    Tx(&'a mut dyn SqlTransaction),
}

impl Db<'_> {
    /// Runs a query.
    pub async fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        match self {
            Self::Store(store) => store.query(sql, params).await,
            Self::Tx(tx) => tx.query(sql, params).await,
        }
    }

    /// Runs a statement; the number of rows it changed.
    pub async fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        match self {
            Self::Store(store) => store.execute(sql, params).await,
            Self::Tx(tx) => tx.execute(sql, params).await,
        }
    }
}
