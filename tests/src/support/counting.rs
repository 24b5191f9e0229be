//! A [`SqlStore`] decorator that counts the work sent to the database, per
//! statement kind, so performance tests assert on queries issued and rows read
//! (an N+1 pattern or a replay that ignores its snapshot shows up as a count).

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use mediaflow_shared::store::{Dialect, Row, SqlStore, SqlTransaction, SqlValue, StoreError};

/// The kind of a statement, from its first keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatementKind {
    /// `SELECT …`.
    Select,
    /// `INSERT …`.
    Insert,
    /// `UPDATE …`.
    Update,
    /// `DELETE …`.
    Delete,
    /// Anything else (DDL, `WITH`, …).
    Other,
}

impl StatementKind {
    /// Classifies a statement by its first keyword, ignoring case.
    pub fn of(sql: &str) -> Self {
        let first: String = sql
            .trim_start()
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect::<String>()
            .to_ascii_lowercase();
        match first.as_str() {
            "select" => Self::Select,
            "insert" => Self::Insert,
            "update" => Self::Update,
            "delete" => Self::Delete,
            _ => Self::Other,
        }
    }
}

/// Work counted so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatementCounts {
    /// `SELECT` statements run.
    pub selects: u64,
    /// `INSERT` statements run.
    pub inserts: u64,
    /// `UPDATE` statements run.
    pub updates: u64,
    /// `DELETE` statements run.
    pub deletes: u64,
    /// Other single statements run.
    pub other: u64,
    /// `execute_batch` calls.
    pub batches: u64,
    /// Transactions begun.
    pub transactions: u64,
    /// Rows returned by queries.
    pub rows_returned: u64,
}

impl StatementCounts {
    /// Single statements of every kind (batches and transactions excluded).
    pub fn statements(&self) -> u64 {
        self.selects + self.inserts + self.updates + self.deletes + self.other
    }

    /// Statements of one kind.
    pub fn of(&self, kind: StatementKind) -> u64 {
        match kind {
            StatementKind::Select => self.selects,
            StatementKind::Insert => self.inserts,
            StatementKind::Update => self.updates,
            StatementKind::Delete => self.deletes,
            StatementKind::Other => self.other,
        }
    }
}

/// Counts and the statement log, shared with open transactions.
#[derive(Debug, Default)]
struct Tally {
    counts: StatementCounts,
    log: Vec<String>,
}

#[derive(Debug, Default, Clone)]
struct TallyHandle(Arc<Mutex<Tally>>);

impl TallyHandle {
    fn lock(&self) -> MutexGuard<'_, Tally> {
        self.0.lock().expect("statement tally poisoned")
    }

    fn statement(&self, sql: &str) {
        let mut tally = self.lock();
        let counter = match StatementKind::of(sql) {
            StatementKind::Select => &mut tally.counts.selects,
            StatementKind::Insert => &mut tally.counts.inserts,
            StatementKind::Update => &mut tally.counts.updates,
            StatementKind::Delete => &mut tally.counts.deletes,
            StatementKind::Other => &mut tally.counts.other,
        };
        *counter += 1;
        tally.log.push(sql.to_owned());
    }

    fn rows(&self, rows: &Result<Vec<Row>, StoreError>) {
        if let Ok(rows) = rows {
            self.lock().counts.rows_returned += u64::try_from(rows.len()).unwrap_or(u64::MAX);
        }
    }
}

/// Wraps a store and counts every statement sent through it, transactions included.
#[derive(Debug, Clone)]
pub struct CountingStore {
    inner: Arc<dyn SqlStore>,
    tally: TallyHandle,
}

impl CountingStore {
    /// Counts the work sent to `inner`.
    pub fn new(inner: Arc<dyn SqlStore>) -> Self {
        Self {
            inner,
            tally: TallyHandle::default(),
        }
    }

    /// The counts so far.
    pub fn counts(&self) -> StatementCounts {
        self.tally.lock().counts
    }

    /// Every single statement run so far, in order.
    pub fn statements(&self) -> Vec<String> {
        self.tally.lock().log.clone()
    }

    /// Statements so far whose text contains `fragment` (a table name, say).
    pub fn statements_containing(&self, fragment: &str) -> usize {
        self.tally
            .lock()
            .log
            .iter()
            .filter(|sql| sql.contains(fragment))
            .count()
    }

    /// Every single statement run so far except the outbox relay's: the relay
    /// polls the outbox in the background at its own pace, so its statements are
    /// not the work of the request under test.
    pub fn request_statements(&self) -> Vec<String> {
        self.tally
            .lock()
            .log
            .iter()
            .filter(|sql| !sql.contains("outbox"))
            .cloned()
            .collect()
    }

    /// Starts counting from zero (after fixtures are set up).
    pub fn reset(&self) {
        *self.tally.lock() = Tally::default();
    }
}

#[async_trait]
impl SqlStore for CountingStore {
    fn dialect(&self) -> Dialect {
        self.inner.dialect()
    }

    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        self.tally.statement(sql);
        self.inner.execute(sql, params).await
    }

    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        self.tally.statement(sql);
        let rows = self.inner.query(sql, params).await;
        self.tally.rows(&rows);
        rows
    }

    async fn execute_batch(&self, sql: &str) -> Result<(), StoreError> {
        self.tally.lock().counts.batches += 1;
        self.inner.execute_batch(sql).await
    }

    async fn begin(&self) -> Result<Box<dyn SqlTransaction>, StoreError> {
        self.tally.lock().counts.transactions += 1;
        let inner = self.inner.begin().await?;
        Ok(Box::new(CountingTransaction {
            inner,
            tally: self.tally.clone(),
        }))
    }
}

/// A transaction of a [`CountingStore`].
struct CountingTransaction {
    inner: Box<dyn SqlTransaction>,
    tally: TallyHandle,
}

impl fmt::Debug for CountingTransaction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CountingTransaction")
            .field(&self.inner)
            .finish()
    }
}

#[async_trait]
impl SqlTransaction for CountingTransaction {
    async fn execute(&mut self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        self.tally.statement(sql);
        self.inner.execute(sql, params).await
    }

    async fn query(&mut self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        self.tally.statement(sql);
        let rows = self.inner.query(sql, params).await;
        self.tally.rows(&rows);
        rows
    }

    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.inner.commit().await
    }

    async fn rollback(self: Box<Self>) -> Result<(), StoreError> {
        self.inner.rollback().await
    }
}
