//! The catalog's application layer: commands load a video from its stream, let
//! the aggregate decide, then append the events, rewrite the read model and
//! enqueue the outbox rows in one transaction; reads go through the read-through
//! cache. Handlers and the view consumer call into [`CatalogService`].

mod cache;
mod commands;
mod reads;

use std::sync::Arc;

use mediaflow_shared::Infra;
use mediaflow_shared::clock::SharedClock;
use mediaflow_shared::event_store::SqlEventStore;
use mediaflow_shared::events::outbox::RelayWaker;
use mediaflow_shared::ids::IdGenerator;
use mediaflow_shared::store::SqlStore;

use self::cache::CatalogCache;
pub use self::cache::{LIST_GENERATION_KEY, video_cache_key};
pub use self::reads::ListPage;
use crate::settings::Settings;

/// The catalog's use cases over its database, event store, cache and outbox.
#[derive(Debug)]
pub struct CatalogService {
    /// The catalog database: streams, read model and outbox live together so one
    /// transaction covers all three.
    db: Arc<dyn SqlStore>,
    /// Video streams (`video-<id>`) in that database.
    events: SqlEventStore,
    /// Stamps snapshots and processed-event records.
    clock: SharedClock,
    /// Video and event ids.
    ids: Arc<IdGenerator>,
    /// Read-through caches for videos and list pages.
    cache: CatalogCache,
    /// Wakes the outbox relay after a commit, so events leave at once.
    relay: RelayWaker,
    /// Snapshot interval in versions; 0 = never.
    snapshot_every: u64,
}

impl CatalogService {
    /// The service on `infra`'s catalog database (`db`, migrated), clock, ids and
    /// cache, waking `relay` after each commit.
    pub fn new(
        infra: &Infra,
        db: Arc<dyn SqlStore>,
        settings: &Settings,
        relay: RelayWaker,
    ) -> Self {
        Self {
            events: SqlEventStore::new(db.clone(), infra.clock.clone()),
            db,
            clock: infra.clock.clone(),
            cache: CatalogCache::new(infra, &settings.cache),
            ids: infra.ids.clone(),
            relay,
            snapshot_every: settings.snapshot_every,
        }
    }

    /// The catalog database.
    pub fn database(&self) -> &Arc<dyn SqlStore> {
        &self.db
    }

    /// The clock the service reads.
    pub fn clock(&self) -> &SharedClock {
        &self.clock
    }
}
