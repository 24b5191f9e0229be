//! Transactional outbox: an event is written to the `outbox` table in the same
//! transaction as the state change it describes, and a relay publishes it
//! afterwards. Either both the change and the event persist or neither does, and
//! a crash between publishing and marking re-publishes (at-least-once delivery,
//! which idempotent consumers absorb).

use std::sync::Arc;

use crate::clock::SharedClock;
use crate::events::{EventBus, EventEnvelope};
use crate::params;
use crate::store::{Migration, Row, SqlStore, SqlTransaction, StoreError, timestamp_to_micros};

const MIGRATIONS: &[Migration] = &[Migration {
    version: 1_000_200,
    name: "transactional outbox",
    sql: "
        -- Insertion order comes from a counter row rather than an engine-specific
        -- serial column: taking it locks the row until commit, so sequence order is
        -- also commit order and the relay never skips a slower transaction's event.
        CREATE TABLE outbox_sequence (
            name TEXT PRIMARY KEY,
            value BIGINT NOT NULL
        );
        INSERT INTO outbox_sequence (name, value) VALUES ('outbox', 0)
            ON CONFLICT (name) DO NOTHING;
        CREATE TABLE outbox (
            seq BIGINT PRIMARY KEY,
            event_id TEXT NOT NULL UNIQUE,
            exchange TEXT NOT NULL,
            routing_key TEXT NOT NULL,
            envelope TEXT NOT NULL,
            enqueued_at BIGINT NOT NULL,
            published_at BIGINT,
            attempts BIGINT NOT NULL DEFAULT 0,
            last_error TEXT
        );
        CREATE INDEX outbox_pending ON outbox (seq) WHERE published_at IS NULL;
    ",
}];

const NEXT_SEQ: &str =
    "UPDATE outbox_sequence SET value = value + 1 WHERE name = 'outbox' RETURNING value";

const INSERT: &str = "INSERT INTO outbox \
    (seq, event_id, exchange, routing_key, envelope, enqueued_at) \
    VALUES ($1, $2, $3, $4, $5, $6)";

const SELECT_PENDING: &str = "SELECT seq, exchange, routing_key, envelope FROM outbox \
    WHERE published_at IS NULL ORDER BY seq LIMIT $1";

const MARK_PUBLISHED: &str =
    "UPDATE outbox SET published_at = $1, attempts = attempts + 1 WHERE seq = $2";

const MARK_FAILED: &str =
    "UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE seq = $2";

/// Writes events into the outbox table.
#[derive(Debug, Clone, Copy, Default)]
pub struct Outbox;

impl Outbox {
    /// The tables it needs (version 1_000_200).
    pub fn migrations() -> &'static [Migration] {
        MIGRATIONS
    }

    /// Records `envelope` for publication to `exchange` with `routing_key`, inside
    /// `tx`: the same transaction as the state change, which is the whole point.
    pub async fn enqueue(
        tx: &mut dyn SqlTransaction,
        exchange: &str,
        routing_key: &str,
        envelope: &EventEnvelope,
    ) -> Result<(), StoreError> {
        let rows = tx.query(NEXT_SEQ, &[]).await?;
        let seq: i64 = rows
            .first()
            .ok_or_else(|| {
                StoreError::Sql(
                    "the outbox sequence row is missing; run `Outbox::migrations()`".to_owned(),
                )
            })?
            .get("value")?;
        let body = serde_json::to_string(envelope).map_err(|err| {
            StoreError::Sql(format!("event {} cannot be serialised: {err}", envelope.id))
        })?;
        tx.execute(
            INSERT,
            &params![
                seq,
                envelope.id.to_string(),
                exchange,
                routing_key,
                body,
                timestamp_to_micros(envelope.occurred_at),
            ],
        )
        .await?;
        Ok(())
    }
}

/// What one relay pass did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RelayOutcome {
    /// Events published and routed to at least one queue.
    pub published: usize,
    /// Events the broker accepted but routed to no queue. They are marked
    /// published, since re-sending cannot help; a non-zero count means a binding
    /// is missing from the topology.
    pub unroutable: usize,
    /// Publish attempts that failed; the pass stops at the first one so events
    /// leave in order, and the next pass retries it.
    pub failed: usize,
}

/// Publishes outbox rows, oldest first, and marks them published.
///
/// Run one relay per database: two relays would each publish the same pending
/// rows. That stays correct (consumers deduplicate) but doubles the traffic.
#[derive(Debug, Clone)]
pub struct OutboxRelay {
    /// The database holding the outbox.
    store: Arc<dyn SqlStore>,
    /// Where events go.
    bus: Arc<dyn EventBus>,
    /// Stamps `published_at`.
    clock: SharedClock,
    /// Rows per pass, so one pass is bounded.
    batch_size: usize,
}

/// A pending outbox row.
struct Pending {
    seq: i64,
    exchange: String,
    routing_key: String,
    envelope: Result<EventEnvelope, String>,
}

impl Pending {
    fn from_row(row: &Row) -> Result<Self, StoreError> {
        let seq: i64 = row.get("seq")?;
        let envelope = serde_json::from_str::<EventEnvelope>(&row.get::<String>("envelope")?)
            .map_err(|err| format!("outbox row {seq} holds no valid envelope: {err}"));
        Ok(Self {
            seq,
            exchange: row.get("exchange")?,
            routing_key: row.get("routing_key")?,
            envelope,
        })
    }
}

impl OutboxRelay {
    /// A relay publishing up to `batch_size` events per pass (at least one).
    pub fn new(
        store: Arc<dyn SqlStore>,
        bus: Arc<dyn EventBus>,
        clock: SharedClock,
        batch_size: usize,
    ) -> Self {
        Self {
            store,
            bus,
            clock,
            batch_size: batch_size.max(1),
        }
    }

    /// One pass: publishes pending events in insertion order until the batch is
    /// done or a publish fails.
    pub async fn run_once(&self) -> Result<RelayOutcome, StoreError> {
        let limit = i64::try_from(self.batch_size).unwrap_or(i64::MAX);
        let rows = self.store.query(SELECT_PENDING, &params![limit]).await?;
        let mut outcome = RelayOutcome::default();
        for row in &rows {
            let pending = Pending::from_row(row)?;
            let published = match pending.envelope {
                Ok(envelope) => self
                    .bus
                    .publish(
                        &pending.exchange,
                        &pending.routing_key,
                        envelope.to_message(),
                    )
                    .await
                    .map_err(|err| err.to_string()),
                Err(reason) => Err(reason),
            };
            match published {
                Ok(result) => {
                    let now = timestamp_to_micros(self.clock.now());
                    self.store
                        .execute(MARK_PUBLISHED, &params![now, pending.seq])
                        .await?;
                    if result.routed == 0 {
                        outcome.unroutable += 1;
                    } else {
                        outcome.published += 1;
                    }
                }
                Err(reason) => {
                    self.store
                        .execute(MARK_FAILED, &params![reason, pending.seq])
                        .await?;
                    outcome.failed += 1;
                    break;
                }
            }
        }
        Ok(outcome)
    }

    /// Events not yet published.
    pub async fn pending_count(&self) -> Result<u64, StoreError> {
        let rows = self
            .store
            .query(
                "SELECT COUNT(*) AS pending FROM outbox WHERE published_at IS NULL",
                &[],
            )
            .await?;
        let count: i64 = match rows.first() {
            Some(row) => row.get("pending")?,
            None => 0,
        };
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// Deletes rows published before `cutoff` (housekeeping); returns how many.
    pub async fn purge_published_before(
        &self,
        cutoff: crate::clock::Timestamp,
    ) -> Result<u64, StoreError> {
        self.store
            .execute(
                "DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < $1",
                &params![timestamp_to_micros(cutoff)],
            )
            .await
    }
}

/// Wakes a [`RelayWorker`] right after a transaction that enqueued events commits,
/// so events leave at once instead of at the next tick.
#[derive(Debug, Clone, Default)]
pub struct RelayWaker(Arc<tokio::sync::Notify>);

impl RelayWaker {
    /// Asks the worker for a pass now.
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

/// A relay running in the background: a pass when woken and at every tick (the
/// tick retries what a failed pass left behind).
#[derive(Debug)]
pub struct RelayWorker {
    waker: RelayWaker,
    stop: tokio::sync::watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl OutboxRelay {
    /// Runs the relay in the background until [`RelayWorker::stop`].
    pub fn spawn(self, tick: std::time::Duration) -> RelayWorker {
        let waker = RelayWaker::default();
        let notify = waker.0.clone();
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(tick);
            loop {
                // Keep passing while full batches come back: a backlog drains at once.
                while let Ok(outcome) = self.run_once().await {
                    if outcome.failed > 0
                        || outcome.published + outcome.unroutable < self.batch_size
                    {
                        break;
                    }
                }
                tokio::select! {
                    _ = notify.notified() => {}
                    _ = ticks.tick() => {}
                    _ = stopped.changed() => break,
                }
            }
        });
        RelayWorker {
            waker,
            stop,
            task: Some(task),
        }
    }
}

impl RelayWorker {
    /// A handle that wakes this worker.
    pub fn waker(&self) -> RelayWaker {
        self.waker.clone()
    }

    /// Stops the worker after its current pass.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RelayWorker {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
