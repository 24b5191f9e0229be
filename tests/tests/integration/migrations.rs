//! Per-service schema migrations: applied once in order, recorded with a checksum,
//! edits and misordered lists rejected, a failing script leaves nothing behind.

use mediaflow_shared::event_store::SqlEventStore;
use mediaflow_shared::events::idempotency::ProcessedEvents;
use mediaflow_shared::events::outbox::Outbox;
use mediaflow_shared::store::{Migration, SqlStore, SqliteStore, StoreError, migrate};

const V1: Migration = Migration {
    version: 1,
    name: "videos",
    sql: "CREATE TABLE videos (id TEXT PRIMARY KEY, title TEXT NOT NULL)",
};
const V2: Migration = Migration {
    version: 2,
    name: "video views",
    sql: "ALTER TABLE videos ADD COLUMN views BIGINT NOT NULL DEFAULT 0;
          CREATE INDEX videos_views ON videos (views);",
};
const V3: Migration = Migration {
    version: 3,
    name: "tags",
    sql: "CREATE TABLE tags (video_id TEXT NOT NULL, tag TEXT NOT NULL)",
};

fn store() -> SqliteStore {
    SqliteStore::open_in_memory().expect("an in-memory database opens")
}

async fn table_exists(store: &dyn SqlStore, table: &str) -> bool {
    let rows = store
        .query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = $1",
            &mediaflow_shared::params![table],
        )
        .await
        .expect("the catalog query works");
    !rows.is_empty()
}

async fn recorded_versions(store: &dyn SqlStore) -> Vec<i64> {
    store
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .expect("schema_migrations is readable")
        .iter()
        .map(|row| row.get("version").expect("version is an integer"))
        .collect()
}

#[tokio::test]
async fn migrate_applies_every_migration_in_order_and_records_it() {
    let store = store();
    let report = migrate(&store, &[V1, V2])
        .await
        .expect("the migrations apply");
    assert_eq!(
        report.applied,
        vec![1, 2],
        "both migrations must be reported as applied, in order"
    );
    assert_eq!(report.already, 0, "nothing was applied before");
    assert_eq!(
        recorded_versions(&store).await,
        vec![1, 2],
        "each applied version must be recorded"
    );
    store
        .execute(
            "INSERT INTO videos (id, title, views) VALUES ('v', 't', 3)",
            &[],
        )
        .await
        .expect("both statements of migration 2 ran: the views column exists");
}

#[tokio::test]
async fn running_migrate_again_is_a_no_op() {
    let store = store();
    migrate(&store, &[V1, V2])
        .await
        .expect("the first run applies");
    let again = migrate(&store, &[V1, V2])
        .await
        .expect("the second run succeeds");
    assert!(
        again.applied.is_empty(),
        "a second run must apply nothing, applied {:?}",
        again.applied
    );
    assert_eq!(
        again.already, 2,
        "both migrations must be reported as already applied"
    );
}

#[tokio::test]
async fn a_new_migration_applies_on_top_of_existing_ones() {
    let store = store();
    migrate(&store, &[V1]).await.expect("version 1 applies");
    let report = migrate(&store, &[V1, V2, V3])
        .await
        .expect("the newer versions apply");
    assert_eq!(
        report.applied,
        vec![2, 3],
        "only the new migrations must run"
    );
    assert_eq!(report.already, 1, "version 1 must count as already applied");
    assert!(
        table_exists(&store, "tags").await,
        "migration 3 must have created `tags`"
    );
}

#[tokio::test]
async fn editing_an_applied_migration_is_rejected() {
    let store = store();
    migrate(&store, &[V1]).await.expect("version 1 applies");
    let edited = Migration {
        sql: "CREATE TABLE videos (id TEXT PRIMARY KEY, title TEXT)",
        ..V1
    };
    let result = migrate(&store, &[edited]).await;
    assert_eq!(
        result,
        Err(StoreError::MigrationChanged {
            version: 1,
            name: "videos".to_owned()
        }),
        "an applied migration whose SQL changed must be reported by version and name"
    );
}

#[tokio::test]
async fn versions_out_of_order_are_rejected_before_anything_runs() {
    let store = store();
    let result = migrate(&store, &[V2, V1]).await;
    assert!(
        matches!(&result, Err(StoreError::Sql(message)) if message.contains("strictly increase")),
        "a list with version 1 after 2 must be rejected, got {result:?}"
    );
    assert!(
        !table_exists(&store, "videos").await,
        "no migration of a misordered list may run"
    );
}

#[tokio::test]
async fn duplicate_versions_are_rejected() {
    let store = store();
    let twin = Migration {
        name: "other",
        ..V1
    };
    let result = migrate(&store, &[V1, twin]).await;
    assert!(
        matches!(result, Err(StoreError::Sql(_))),
        "two migrations with version 1 must be rejected, got {result:?}"
    );
}

#[tokio::test]
async fn a_failing_migration_leaves_no_partial_state() {
    let store = store();
    let broken = Migration {
        version: 2,
        name: "half broken",
        sql: "CREATE TABLE playlists (id TEXT PRIMARY KEY);
              INSERT INTO videos (id, title) VALUES ('seed', 'seed');
              CREATE TABLE oops (id TEXT PRIMARY KEY REFERENCES;",
    };
    let result = migrate(&store, &[V1, broken]).await;
    assert!(
        matches!(&result, Err(StoreError::Sql(message)) if message.contains("migration 2")),
        "the failure must name the failing migration, got {result:?}"
    );
    assert!(
        table_exists(&store, "videos").await,
        "migration 1 applied before the failure must stay"
    );
    assert!(
        !table_exists(&store, "playlists").await,
        "the first statement of the failed migration must be rolled back"
    );
    let seeded = store
        .query("SELECT id FROM videos", &[])
        .await
        .expect("videos is readable");
    assert!(
        seeded.is_empty(),
        "rows inserted by the failed migration must be rolled back"
    );
    assert_eq!(
        recorded_versions(&store).await,
        vec![1],
        "the failed migration must not be recorded"
    );
}

#[tokio::test]
async fn semicolons_inside_strings_and_comments_do_not_split_statements() {
    let store = store();
    let tricky = Migration {
        version: 1,
        name: "seed with semicolons",
        sql: "CREATE TABLE notes (body TEXT NOT NULL); -- a comment; with a semicolon
              /* block; comment */
              INSERT INTO notes (body) VALUES ('one; two'), ('it''s; fine');",
    };
    migrate(&store, &[tricky])
        .await
        .expect("the script applies");
    let rows = store
        .query("SELECT body FROM notes ORDER BY body", &[])
        .await
        .expect("notes is readable");
    let bodies: Vec<String> = rows
        .iter()
        .map(|row| row.get("body").expect("text"))
        .collect();
    assert_eq!(
        bodies,
        vec!["it's; fine".to_owned(), "one; two".to_owned()],
        "semicolons inside quoted text must stay part of the value"
    );
}

#[tokio::test]
async fn shared_component_migrations_apply_after_a_services_own() {
    let store = store();
    let mut all = vec![V1];
    all.extend_from_slice(SqlEventStore::migrations());
    all.extend_from_slice(Outbox::migrations());
    all.extend_from_slice(ProcessedEvents::migrations());
    let report = migrate(&store, &all)
        .await
        .expect("service and shared migrations apply together");
    assert_eq!(
        report.applied.len(),
        all.len(),
        "every migration of the combined list must apply"
    );
    for table in [
        "videos",
        "event_store_events",
        "event_store_snapshots",
        "outbox",
        "processed_events",
    ] {
        assert!(
            table_exists(&store, table).await,
            "table `{table}` must exist after migrating"
        );
    }

    let mut later = vec![V1, V2];
    later.extend_from_slice(&all[1..]);
    let report = migrate(&store, &later)
        .await
        .expect("a service migration added later applies");
    assert_eq!(
        report.applied,
        vec![2],
        "the service's new migration must apply below the shared versions"
    );
}
