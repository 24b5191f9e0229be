//! A [`SqlStore`] decorator that can hold transactions at `begin`, so a test lines
//! up concurrent requests at one point (every request has done its reads, none has
//! opened its transaction) and then lets them all go, without sleeping.

use std::sync::Arc;

use async_trait::async_trait;
use mediaflow_shared::store::{Dialect, Row, SqlStore, SqlTransaction, SqlValue, StoreError};
use tokio::sync::watch;

/// Passes everything to the wrapped store; while held, `begin` waits.
#[derive(Debug)]
pub struct GatedStore {
    inner: Arc<dyn SqlStore>,
    /// `true` while transactions may begin.
    open: watch::Sender<bool>,
    /// Transactions waiting at `begin` right now.
    held: watch::Sender<usize>,
}

impl GatedStore {
    /// Wraps `inner`, open.
    pub fn new(inner: Arc<dyn SqlStore>) -> Self {
        Self {
            inner,
            open: watch::Sender::new(true),
            held: watch::Sender::new(0),
        }
    }

    /// Makes transactions begun from now on wait until [`Self::release`].
    pub fn hold_transactions(&self) {
        self.open.send_replace(false);
    }

    /// Lets held and later transactions begin.
    pub fn release(&self) {
        self.open.send_replace(true);
    }

    /// Waits until `count` transactions are held at `begin`.
    pub async fn wait_until_held(&self, count: usize) {
        let mut held = self.held.subscribe();
        // The sender lives as long as `self`, so waiting cannot fail.
        let _ = held.wait_for(|held| *held >= count).await;
    }
}

#[async_trait]
impl SqlStore for GatedStore {
    fn dialect(&self) -> Dialect {
        self.inner.dialect()
    }

    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        self.inner.execute(sql, params).await
    }

    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        self.inner.query(sql, params).await
    }

    async fn execute_batch(&self, sql: &str) -> Result<(), StoreError> {
        self.inner.execute_batch(sql).await
    }

    async fn begin(&self) -> Result<Box<dyn SqlTransaction>, StoreError> {
        let mut open = self.open.subscribe();
        if !*open.borrow_and_update() {
            self.held.send_modify(|held| *held += 1);
            let _ = open.wait_for(|open| *open).await;
            self.held.send_modify(|held| *held -= 1);
        }
        self.inner.begin().await
    }
}
