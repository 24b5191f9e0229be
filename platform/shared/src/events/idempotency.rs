//! Idempotent consumers: the bus delivers at least once, so a consumer remembers
//! which event ids it has processed and skips repeats. The durable record lives
//! in the consumer's database, written in the same transaction as the effect;
//! [`DedupeWindow`] is the bounded in-memory variant for effects that are not
//! stored in SQL.

use std::collections::{HashSet, VecDeque};

use crate::clock::Timestamp;
use crate::events::EventId;
use crate::params;
use crate::store::{Migration, SqlStore, SqlTransaction, StoreError, timestamp_to_micros};

const MIGRATIONS: &[Migration] = &[Migration {
    version: 1_000_300,
    name: "processed events",
    sql: "
        CREATE TABLE processed_events (
            consumer TEXT NOT NULL,
            event_id TEXT NOT NULL,
            processed_at BIGINT NOT NULL,
            PRIMARY KEY (consumer, event_id)
        );
        CREATE INDEX processed_events_age ON processed_events (consumer, processed_at);
    ",
}];

const RECORD: &str = "INSERT INTO processed_events (consumer, event_id, processed_at) \
    VALUES ($1, $2, $3) ON CONFLICT (consumer, event_id) DO NOTHING";

/// The durable record of processed events, per consumer.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessedEvents;

impl ProcessedEvents {
    /// The table it needs (version 1_000_300).
    pub fn migrations() -> &'static [Migration] {
        MIGRATIONS
    }

    /// Records that `consumer` processes event `id`; `true` when this is the first
    /// time, `false` for a redelivery the caller must skip. Call it inside the
    /// transaction that applies the event's effect, so a rolled-back effect also
    /// forgets the record. The key is the event id, never type plus timestamp: two
    /// distinct events can share both.
    pub async fn record_if_new(
        tx: &mut dyn SqlTransaction,
        consumer: &str,
        id: EventId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let inserted = tx
            .execute(
                RECORD,
                &params![consumer, id.to_string(), timestamp_to_micros(now)],
            )
            .await?;
        Ok(inserted == 1)
    }

    /// Forgets what `consumer` processed before `cutoff`; returns how many records
    /// went. Keep the cutoff well beyond the longest redelivery delay, or a late
    /// redelivery is processed twice.
    pub async fn prune_older_than(
        store: &dyn SqlStore,
        consumer: &str,
        cutoff: Timestamp,
    ) -> Result<u64, StoreError> {
        store
            .execute(
                "DELETE FROM processed_events WHERE consumer = $1 AND processed_at < $2",
                &params![consumer, timestamp_to_micros(cutoff)],
            )
            .await
    }
}

/// The last `capacity` event ids seen, in memory: a redelivery within the window
/// is recognised; when full, the oldest id is forgotten (never the newest, which
/// is the one most likely to be redelivered next).
#[derive(Debug, Clone)]
pub struct DedupeWindow {
    /// Ids remembered at most.
    capacity: usize,
    /// Ids in arrival order, oldest first.
    order: VecDeque<EventId>,
    /// The same ids, for lookup.
    seen: HashSet<EventId>,
}

impl DedupeWindow {
    /// A window of `capacity` ids; a zero capacity remembers nothing.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            order: VecDeque::with_capacity(capacity),
            seen: HashSet::with_capacity(capacity),
        }
    }

    /// Remembers `id`; `true` when it was not in the window (process it).
    pub fn insert(&mut self, id: EventId) -> bool {
        if self.seen.contains(&id) {
            return false;
        }
        if self.capacity == 0 {
            return true;
        }
        if self.order.len() == self.capacity
            && let Some(oldest) = self.order.pop_front()
        {
            self.seen.remove(&oldest);
        }
        self.order.push_back(id);
        self.seen.insert(id);
        true
    }

    /// Whether `id` is in the window.
    pub fn contains(&self, id: EventId) -> bool {
        self.seen.contains(&id)
    }

    /// Ids currently remembered.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}
