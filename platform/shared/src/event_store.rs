//! Event sourcing: streams with optimistic concurrency (append with expected
//! version), snapshots, and projections that apply events in per-aggregate order.

mod api;
mod projection;
mod sql;

pub use api::{
    EventStore, EventStoreError, ExpectedVersion, NewEvent, Snapshot, StoredEvent, StreamState,
};
pub use projection::{Gap, Offer, OrderedProjection, ProjectionError};
pub use sql::SqlEventStore;
