//! The event store on a [`SqlStore`]: one row per event keyed by (stream, version),
//! so the primary key itself rejects a second writer at the same version.

use std::sync::Arc;

use async_trait::async_trait;
use uuid::Uuid;

use super::api::{EventStore, EventStoreError, ExpectedVersion, NewEvent, Snapshot, StoredEvent};
use crate::clock::SharedClock;
use crate::events::{EventEnvelope, EventId};
use crate::params;
use crate::store::{
    Migration, Row, SqlStore, SqlTransaction, StoreError, micros_to_timestamp, timestamp_to_micros,
};

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1_000_100,
        name: "event store events",
        sql: "CREATE TABLE event_store_events (
            stream_id TEXT NOT NULL,
            version BIGINT NOT NULL,
            event_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            schema_version BIGINT NOT NULL,
            occurred_at BIGINT NOT NULL,
            correlation_id TEXT NOT NULL,
            causation_id TEXT,
            payload TEXT NOT NULL,
            PRIMARY KEY (stream_id, version),
            CONSTRAINT event_store_events_event_id UNIQUE (event_id)
        )",
    },
    Migration {
        version: 1_000_101,
        name: "event store snapshots",
        sql: "CREATE TABLE event_store_snapshots (
            stream_id TEXT PRIMARY KEY,
            version BIGINT NOT NULL,
            state TEXT NOT NULL,
            taken_at BIGINT NOT NULL
        )",
    },
];

const INSERT_EVENT: &str = "INSERT INTO event_store_events \
    (stream_id, version, event_id, event_type, schema_version, occurred_at, correlation_id, \
     causation_id, payload) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

const SELECT_EVENTS: &str = "SELECT version, event_id, event_type, schema_version, occurred_at, \
    correlation_id, causation_id, payload FROM event_store_events \
    WHERE stream_id = $1 AND version >= $2 ORDER BY version";

const SELECT_VERSION: &str =
    "SELECT MAX(version) AS version FROM event_store_events WHERE stream_id = $1";

const UPSERT_SNAPSHOT: &str = "INSERT INTO event_store_snapshots \
    (stream_id, version, state, taken_at) VALUES ($1, $2, $3, $4) \
    ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, \
    state = excluded.state, taken_at = excluded.taken_at \
    WHERE event_store_snapshots.version <= excluded.version";

const SELECT_SNAPSHOT: &str =
    "SELECT version, state, taken_at FROM event_store_snapshots WHERE stream_id = $1";

/// Event streams in a service's SQL database. Run [`SqlEventStore::migrations`]
/// through [`crate::store::migrate`] before use.
#[derive(Debug, Clone)]
pub struct SqlEventStore {
    /// The service's database.
    store: Arc<dyn SqlStore>,
    /// Stamps `occurred_at` on appended events.
    clock: SharedClock,
}

impl SqlEventStore {
    /// An event store over `store`, stamping events with `clock`.
    pub fn new(store: Arc<dyn SqlStore>, clock: SharedClock) -> Self {
        Self { store, clock }
    }

    /// The tables it needs (versions 1_000_100 and up).
    pub fn migrations() -> &'static [Migration] {
        MIGRATIONS
    }

    /// Appends `events` inside the caller's transaction `tx`, so a service can write
    /// its read model and its outbox rows in the same commit as the events: either
    /// all of it persists or none does. Returns the new version and the envelopes as
    /// they were stored (`aggregate_id` = the stream id, `sequence` = the version).
    ///
    /// The expected version is checked inside `tx`. A [`StoreError::Constraint`]
    /// (wrapped in [`EventStoreError::Store`]) means a concurrent writer took one of
    /// the versions or an event id is appended a second time; the transaction is
    /// then unusable on PostgreSQL, so roll it back and compare
    /// [`EventStore::stream_version`] with the version you loaded. Nothing is
    /// visible to others until the caller commits.
    pub async fn append_in(
        &self,
        tx: &mut dyn SqlTransaction,
        stream_id: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<(u64, Vec<EventEnvelope>), EventStoreError> {
        let current = self.checked_version(tx, stream_id, expected).await?;
        let envelopes = self.insert_all(tx, stream_id, current, events).await?;
        let version = envelopes.last().map_or(current, |event| event.sequence);
        Ok((version, envelopes))
    }

    /// The stream's version read inside `tx`, if it satisfies `expected`.
    async fn checked_version(
        &self,
        tx: &mut dyn SqlTransaction,
        stream_id: &str,
        expected: ExpectedVersion,
    ) -> Result<u64, EventStoreError> {
        let current = version_of(
            &tx.query(SELECT_VERSION, &params![stream_id]).await?,
            stream_id,
        )?;
        if expected.matches(current) {
            Ok(current)
        } else {
            Err(EventStoreError::VersionConflict {
                stream: stream_id.to_owned(),
                expected,
                actual: current,
            })
        }
    }

    /// Inserts the events after `current`, inside the caller's transaction, and
    /// returns them as stored.
    async fn insert_all(
        &self,
        tx: &mut dyn SqlTransaction,
        stream_id: &str,
        current: u64,
        events: Vec<NewEvent>,
    ) -> Result<Vec<EventEnvelope>, StoreError> {
        // Stored with microsecond precision, so truncate now: what the writer
        // could observe equals what every reader will see.
        let now = timestamp_to_micros(self.clock.now());
        let occurred_at = micros_to_timestamp(now).ok_or_else(|| {
            StoreError::Sql(format!(
                "the clock reads {now} µs, outside the storable range; fix the clock"
            ))
        })?;
        let mut version = current;
        let mut stored = Vec::with_capacity(events.len());
        for event in events {
            version += 1;
            tx.execute(
                INSERT_EVENT,
                &params![
                    stream_id,
                    to_sql_int(version),
                    event.id.to_string(),
                    event.event_type.clone(),
                    event.schema_version,
                    now,
                    event.correlation_id.clone(),
                    event.causation_id.map(|id| id.to_string()),
                    event.payload.to_string(),
                ],
            )
            .await?;
            stored.push(EventEnvelope {
                id: event.id,
                event_type: event.event_type,
                aggregate_id: stream_id.to_owned(),
                sequence: version,
                occurred_at,
                schema_version: event.schema_version,
                correlation_id: event.correlation_id,
                causation_id: event.causation_id,
                payload: event.payload,
            });
        }
        Ok(stored)
    }
}

/// Versions are `u64` in the API and `BIGINT` in the table; no stream reaches 2^63.
fn to_sql_int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// The version in a `MAX(version)` row; 0 for an empty stream.
fn version_of(rows: &[Row], stream_id: &str) -> Result<u64, EventStoreError> {
    let Some(row) = rows.first() else {
        return Ok(0);
    };
    let version: Option<i64> = row.get("version")?;
    non_negative(version.unwrap_or(0), stream_id, "version")
}

fn non_negative(value: i64, stream_id: &str, what: &str) -> Result<u64, EventStoreError> {
    u64::try_from(value).map_err(|_| corrupt(stream_id, format!("negative {what} {value}")))
}

fn corrupt(stream_id: &str, detail: String) -> EventStoreError {
    EventStoreError::Corrupt {
        stream: stream_id.to_owned(),
        detail,
    }
}

fn parse_event_id(text: &str, stream_id: &str) -> Result<EventId, EventStoreError> {
    Uuid::parse_str(text)
        .map(EventId)
        .map_err(|err| corrupt(stream_id, format!("event id `{text}` is not a uuid: {err}")))
}

fn parse_json(
    text: &str,
    stream_id: &str,
    what: &str,
) -> Result<serde_json::Value, EventStoreError> {
    serde_json::from_str(text)
        .map_err(|err| corrupt(stream_id, format!("{what} is not valid json: {err}")))
}

fn parse_time(micros: i64, stream_id: &str) -> Result<crate::clock::Timestamp, EventStoreError> {
    micros_to_timestamp(micros)
        .ok_or_else(|| corrupt(stream_id, format!("timestamp {micros} is out of range")))
}

/// Rebuilds an envelope from its row.
fn decode_event(row: &Row, stream_id: &str) -> Result<StoredEvent, EventStoreError> {
    let schema_version: i64 = row.get("schema_version")?;
    let causation_id: Option<String> = row.get("causation_id")?;
    Ok(EventEnvelope {
        id: parse_event_id(&row.get::<String>("event_id")?, stream_id)?,
        event_type: row.get("event_type")?,
        aggregate_id: stream_id.to_owned(),
        sequence: non_negative(row.get("version")?, stream_id, "version")?,
        occurred_at: parse_time(row.get("occurred_at")?, stream_id)?,
        schema_version: u32::try_from(schema_version).map_err(|_| {
            corrupt(
                stream_id,
                format!("schema version {schema_version} is out of range"),
            )
        })?,
        correlation_id: row.get("correlation_id")?,
        causation_id: causation_id
            .map(|id| parse_event_id(&id, stream_id))
            .transpose()?,
        payload: parse_json(&row.get::<String>("payload")?, stream_id, "payload")?,
    })
}

#[async_trait]
impl EventStore for SqlEventStore {
    async fn append(
        &self,
        stream_id: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<u64, EventStoreError> {
        let conflict = |actual| EventStoreError::VersionConflict {
            stream: stream_id.to_owned(),
            expected,
            actual,
        };
        if events.is_empty() {
            let actual = self.stream_version(stream_id).await?;
            return if expected.matches(actual) {
                Ok(actual)
            } else {
                Err(conflict(actual))
            };
        }

        let mut tx = self.store.begin().await?;
        let current = match self.checked_version(tx.as_mut(), stream_id, expected).await {
            Ok(current) => current,
            Err(err) => {
                tx.rollback().await?;
                return Err(err);
            }
        };
        match self
            .insert_all(tx.as_mut(), stream_id, current, events)
            .await
        {
            Ok(stored) => {
                tx.commit().await?;
                Ok(stored.last().map_or(current, |event| event.sequence))
            }
            Err(StoreError::Constraint(detail)) => {
                // A concurrent writer took one of our versions between the check
                // and the insert (possible on engines with weaker isolation), or an
                // event id is being appended a second time.
                tx.rollback().await?;
                let actual = self.stream_version(stream_id).await?;
                if actual == current {
                    Err(EventStoreError::Store(StoreError::Constraint(format!(
                        "{detail}; an event with one of these ids is already stored, so the \
                         append was probably retried after it succeeded"
                    ))))
                } else {
                    Err(conflict(actual))
                }
            }
            Err(other) => Err(other.into()),
        }
    }

    async fn read(
        &self,
        stream_id: &str,
        from_version: u64,
    ) -> Result<Vec<StoredEvent>, EventStoreError> {
        let rows = self
            .store
            .query(SELECT_EVENTS, &params![stream_id, to_sql_int(from_version)])
            .await?;
        rows.iter()
            .map(|row| decode_event(row, stream_id))
            .collect()
    }

    async fn stream_version(&self, stream_id: &str) -> Result<u64, EventStoreError> {
        let rows = self
            .store
            .query(SELECT_VERSION, &params![stream_id])
            .await?;
        version_of(&rows, stream_id)
    }

    async fn save_snapshot(&self, snapshot: Snapshot) -> Result<(), EventStoreError> {
        let stream_version = self.stream_version(&snapshot.stream_id).await?;
        if snapshot.version > stream_version {
            return Err(EventStoreError::SnapshotAhead {
                stream: snapshot.stream_id,
                snapshot_version: snapshot.version,
                stream_version,
            });
        }
        self.store
            .execute(
                UPSERT_SNAPSHOT,
                &params![
                    snapshot.stream_id,
                    to_sql_int(snapshot.version),
                    snapshot.state.to_string(),
                    timestamp_to_micros(snapshot.taken_at),
                ],
            )
            .await?;
        Ok(())
    }

    async fn load_snapshot(&self, stream_id: &str) -> Result<Option<Snapshot>, EventStoreError> {
        let rows = self
            .store
            .query(SELECT_SNAPSHOT, &params![stream_id])
            .await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        Ok(Some(Snapshot {
            stream_id: stream_id.to_owned(),
            version: non_negative(row.get("version")?, stream_id, "snapshot version")?,
            state: parse_json(&row.get::<String>("state")?, stream_id, "snapshot state")?,
            taken_at: parse_time(row.get("taken_at")?, stream_id)?,
        }))
    }
}
