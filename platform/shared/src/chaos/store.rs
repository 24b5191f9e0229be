//! Store faults: a decorator over any [`SqlStore`] that fails the next N writes or
//! commits, as a database failing over or a full disk would, while reads go on.

use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::store::{Dialect, Row, SqlStore, SqlTransaction, SqlValue, StoreError};

/// What the decorator did so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChaosStoreStats {
    /// Writes failed on purpose.
    pub failed_writes: u64,
    /// Commits failed on purpose (their transactions were rolled back).
    pub failed_commits: u64,
    /// Writes passed through to the real store.
    pub writes_passed: u64,
    /// Commits passed through to the real store.
    pub commits_passed: u64,
}

impl ChaosStoreStats {
    /// Every injected failure, writes and commits.
    pub fn injected_failures(&self) -> u64 {
        self.failed_writes + self.failed_commits
    }
}

/// Faults still to inject and the tally, shared with open transactions.
#[derive(Debug, Default)]
struct Faults {
    writes_to_fail: u64,
    commits_to_fail: u64,
    stats: ChaosStoreStats,
}

/// Shared handle on the fault state.
#[derive(Debug, Default, Clone)]
struct FaultHandle(Arc<Mutex<Faults>>);

impl FaultHandle {
    /// Consumes one write fault if any is armed; otherwise counts a passed write.
    fn check_write(&self, sql: &str) -> Result<(), StoreError> {
        let mut faults = self.0.lock().expect("store faults poisoned");
        if faults.writes_to_fail > 0 {
            faults.writes_to_fail -= 1;
            faults.stats.failed_writes += 1;
            return Err(StoreError::Unavailable(format!(
                "injected fault: write failed ({})",
                summary(sql)
            )));
        }
        faults.stats.writes_passed += 1;
        Ok(())
    }

    /// Consumes one commit fault if any is armed; otherwise counts a passed commit.
    fn check_commit(&self) -> Result<(), StoreError> {
        let mut faults = self.0.lock().expect("store faults poisoned");
        if faults.commits_to_fail > 0 {
            faults.commits_to_fail -= 1;
            faults.stats.failed_commits += 1;
            return Err(StoreError::Unavailable(
                "injected fault: commit failed, the transaction was rolled back".to_owned(),
            ));
        }
        faults.stats.commits_passed += 1;
        Ok(())
    }
}

/// Whether a statement writes: anything but a `SELECT` (a `RETURNING` write run
/// through `query` counts as a write too).
fn is_write(sql: &str) -> bool {
    let first_word: String = sql
        .trim_start()
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    !first_word.eq_ignore_ascii_case("select")
}

/// The statement's first words, enough to recognise it in an error.
fn summary(sql: &str) -> String {
    sql.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// A [`SqlStore`] that fails writes or commits on demand; transactions it opens
/// are wrapped too, so faults reach statements inside them.
#[derive(Debug, Clone)]
pub struct ChaosStore {
    /// The real store.
    inner: Arc<dyn SqlStore>,
    /// Armed faults and tallies.
    faults: FaultHandle,
}

impl ChaosStore {
    /// Wraps `inner` with no faults armed.
    pub fn new(inner: Arc<dyn SqlStore>) -> Self {
        Self {
            inner,
            faults: FaultHandle::default(),
        }
    }

    /// The next `n` writes (statements other than `SELECT`, batches included,
    /// inside transactions too) fail with [`StoreError::Unavailable`].
    pub fn fail_next_writes(&self, n: u64) {
        self.faults
            .0
            .lock()
            .expect("store faults poisoned")
            .writes_to_fail = n;
    }

    /// The next `n` commits fail with [`StoreError::Unavailable`] after rolling
    /// their transaction back, so nothing of it persists.
    pub fn fail_next_commits(&self, n: u64) {
        self.faults
            .0
            .lock()
            .expect("store faults poisoned")
            .commits_to_fail = n;
    }

    /// Disarms every pending fault (the tallies stay).
    pub fn heal(&self) {
        let mut faults = self.faults.0.lock().expect("store faults poisoned");
        faults.writes_to_fail = 0;
        faults.commits_to_fail = 0;
    }

    /// What was injected and passed so far.
    pub fn stats(&self) -> ChaosStoreStats {
        self.faults.0.lock().expect("store faults poisoned").stats
    }
}

#[async_trait]
impl SqlStore for ChaosStore {
    fn dialect(&self) -> Dialect {
        self.inner.dialect()
    }

    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        if is_write(sql) {
            self.faults.check_write(sql)?;
        }
        self.inner.execute(sql, params).await
    }

    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        if is_write(sql) {
            self.faults.check_write(sql)?;
        }
        self.inner.query(sql, params).await
    }

    async fn execute_batch(&self, sql: &str) -> Result<(), StoreError> {
        self.faults.check_write(sql)?;
        self.inner.execute_batch(sql).await
    }

    async fn begin(&self) -> Result<Box<dyn SqlTransaction>, StoreError> {
        let inner = self.inner.begin().await?;
        Ok(Box::new(ChaosTransaction {
            inner,
            faults: self.faults.clone(),
        }))
    }
}

/// A transaction of a [`ChaosStore`].
struct ChaosTransaction {
    inner: Box<dyn SqlTransaction>,
    faults: FaultHandle,
}

impl fmt::Debug for ChaosTransaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ChaosTransaction")
            .field(&self.inner)
            .finish()
    }
}

#[async_trait]
impl SqlTransaction for ChaosTransaction {
    async fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        if is_write(sql) {
            self.faults.check_write(sql)?;
        }
        self.inner.execute(sql, params).await
    }

    async fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        if is_write(sql) {
            self.faults.check_write(sql)?;
        }
        self.inner.query(sql, params).await
    }

    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        if let Err(fault) = self.faults.check_commit() {
            self.inner.rollback().await?;
            return Err(fault);
        }
        self.inner.commit().await
    }

    async fn rollback(self: Box<Self>) -> Result<(), StoreError> {
        self.inner.rollback().await
    }
}
