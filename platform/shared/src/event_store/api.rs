//! The event store contract: append with an expected version (optimistic
//! concurrency), read a stream in order, keep snapshots to shorten replays.

use std::fmt;

use async_trait::async_trait;
use thiserror::Error;

use crate::clock::Timestamp;
use crate::events::{EventEnvelope, EventId};
use crate::store::StoreError;

/// An event as read back from its stream: the envelope with `aggregate_id` = the
/// stream id and `sequence` = the version (1-based, no gaps).
pub type StoredEvent = EventEnvelope;

/// What the writer believes the stream's version is; the append fails with
/// [`EventStoreError::VersionConflict`] when it is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// Append whatever the version (blind writes: logs, counters).
    Any,
    /// The stream must not exist yet (creation of an aggregate).
    NoStream,
    /// The stream must be at exactly this version (`0` = empty).
    Exact(u64),
}

impl ExpectedVersion {
    /// Whether a stream at `actual` satisfies the expectation.
    pub fn matches(self, actual: u64) -> bool {
        match self {
            Self::Any => true,
            Self::NoStream => actual == 0,
            Self::Exact(expected) => actual == expected,
        }
    }
}

impl fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Any => f.write_str("any version"),
            Self::NoStream => f.write_str("no stream"),
            Self::Exact(version) => write!(f, "version {version}"),
        }
    }
}

/// An event to append; the store assigns its version and timestamp.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    /// Unique id, chosen by the writer so a retried append can be recognised.
    pub id: EventId,
    /// Event type, e.g. `VideoPublished`.
    pub event_type: String,
    /// Type-specific data.
    pub payload: serde_json::Value,
    /// Version of the payload schema, for upcasting on read.
    pub schema_version: u32,
    /// Id shared by everything one user request caused.
    pub correlation_id: String,
    /// The event that caused this one, if any.
    pub causation_id: Option<EventId>,
}

impl NewEvent {
    /// An event at schema version 1 that starts its own correlation (the
    /// correlation id is the event id); chain [`NewEvent::correlated`] or
    /// [`NewEvent::caused_by`] when a request or another event caused it.
    pub fn new(id: EventId, event_type: impl Into<String>, payload: serde_json::Value) -> Self {
        Self {
            id,
            event_type: event_type.into(),
            payload,
            schema_version: 1,
            correlation_id: id.to_string(),
            causation_id: None,
        }
    }

    /// Sets the correlation id (usually the request id).
    #[must_use]
    pub fn correlated(mut self, correlation_id: impl Into<String>) -> Self {
        self.correlation_id = correlation_id.into();
        self
    }

    /// Marks the event as caused by `cause`, inheriting its correlation id.
    #[must_use]
    pub fn caused_by(mut self, cause: &EventEnvelope) -> Self {
        self.causation_id = Some(cause.id);
        self.correlation_id.clone_from(&cause.correlation_id);
        self
    }

    /// Sets the payload schema version.
    #[must_use]
    pub fn schema(mut self, schema_version: u32) -> Self {
        self.schema_version = schema_version;
        self
    }
}

/// The state of an aggregate folded up to `version`, so loading it replays only
/// the events after that version.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The stream it summarises.
    pub stream_id: String,
    /// The last event folded into `state`.
    pub version: u64,
    /// The aggregate's state, in the aggregate's own JSON shape.
    pub state: serde_json::Value,
    /// When it was taken.
    pub taken_at: Timestamp,
}

/// A stream ready to fold: the latest snapshot, if any, and the events after it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StreamState {
    /// The latest snapshot.
    pub snapshot: Option<Snapshot>,
    /// Events after the snapshot (all events without one), in order.
    pub events: Vec<StoredEvent>,
}

impl StreamState {
    /// The stream's version: its last event, else the snapshot's, else 0.
    pub fn version(&self) -> u64 {
        self.events
            .last()
            .map(|event| event.sequence)
            .or_else(|| self.snapshot.as_ref().map(|snapshot| snapshot.version))
            .unwrap_or(0)
    }
}

/// Errors of the event store.
#[derive(Debug, Error)]
pub enum EventStoreError {
    /// Another writer appended first: the caller decided on stale state.
    #[error(
        "stream `{stream}` is at version {actual} but the append expected {expected}; \
         reload the aggregate and retry the command"
    )]
    VersionConflict {
        /// The stream.
        stream: String,
        /// What the writer expected.
        expected: ExpectedVersion,
        /// The version found.
        actual: u64,
    },
    /// A snapshot claims a version the stream has not reached.
    #[error(
        "snapshot of stream `{stream}` is at version {snapshot_version} but the stream is at \
         {stream_version}; snapshot only state folded from stored events"
    )]
    SnapshotAhead {
        /// The stream.
        stream: String,
        /// The snapshot's version.
        snapshot_version: u64,
        /// The stream's version.
        stream_version: u64,
    },
    /// The underlying store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored record cannot be decoded.
    #[error("stream `{stream}` holds a corrupt record: {detail}; restore the stream from a backup")]
    Corrupt {
        /// The stream.
        stream: String,
        /// What is wrong.
        detail: String,
    },
}

/// Event streams with optimistic concurrency.
#[async_trait]
pub trait EventStore: Send + Sync + fmt::Debug {
    /// Appends `events` if the stream is at `expected`; returns the new version.
    /// All events land or none do. An empty list only checks the expectation.
    async fn append(
        &self,
        stream_id: &str,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
    ) -> Result<u64, EventStoreError>;

    /// The events with `version >= from_version`, in order (`0` or `1` = all).
    async fn read(
        &self,
        stream_id: &str,
        from_version: u64,
    ) -> Result<Vec<StoredEvent>, EventStoreError>;

    /// The stream's current version; 0 when it does not exist.
    async fn stream_version(&self, stream_id: &str) -> Result<u64, EventStoreError>;

    /// Stores a snapshot; an older snapshot never replaces a newer one.
    async fn save_snapshot(&self, snapshot: Snapshot) -> Result<(), EventStoreError>;

    /// The latest snapshot of a stream.
    async fn load_snapshot(&self, stream_id: &str) -> Result<Option<Snapshot>, EventStoreError>;

    /// The latest snapshot and only the events after it: what loading an
    /// aggregate needs.
    async fn load(&self, stream_id: &str) -> Result<StreamState, EventStoreError> {
        let snapshot = self.load_snapshot(stream_id).await?;
        let from = snapshot.as_ref().map_or(1, |snapshot| snapshot.version + 1);
        let events = self.read(stream_id, from).await?;
        Ok(StreamState { snapshot, events })
    }
}
