//! The catalog database's schema: the `videos` read model, then the shared tables
//! it writes in the same transactions (event store, outbox, processed events).

use mediaflow_shared::event_store::SqlEventStore;
use mediaflow_shared::events::idempotency::ProcessedEvents;
use mediaflow_shared::events::outbox::Outbox;
use mediaflow_shared::store::Migration;

/// The catalog's own migrations.
const CATALOG: &[Migration] = &[Migration {
    version: 1,
    name: "videos read model",
    sql: "
        -- One row per video, rewritten in the transaction that appends its events.
        -- title_key and search_text are lowercase so sorting and LIKE behave the
        -- same on SQLite and PostgreSQL whatever the collation.
        CREATE TABLE videos (
            id TEXT PRIMARY KEY,
            owner_id TEXT NOT NULL,
            title TEXT NOT NULL,
            title_key TEXT NOT NULL,
            description TEXT NOT NULL,
            genre TEXT NOT NULL,
            tags TEXT NOT NULL,
            search_text TEXT NOT NULL,
            duration_secs BIGINT NOT NULL,
            status TEXT NOT NULL,
            version BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            published_at BIGINT,
            views BIGINT NOT NULL DEFAULT 0
        );
        -- Keyset pagination reads these in (sort key, id) order.
        CREATE INDEX videos_by_published ON videos (status, (COALESCE(published_at, 0)), id);
        CREATE INDEX videos_by_title ON videos (status, title_key, id);
        CREATE INDEX videos_by_views ON videos (status, views, id);
        CREATE INDEX videos_by_genre ON videos (genre, status);
        CREATE INDEX videos_by_owner ON videos (owner_id);
    ",
}];

/// Every migration of the catalog database, the catalog's first and the shared
/// components' (numbered above one million) after.
pub fn all() -> Vec<Migration> {
    CATALOG
        .iter()
        .chain(SqlEventStore::migrations())
        .chain(Outbox::migrations())
        .chain(ProcessedEvents::migrations())
        .copied()
        .collect()
}
