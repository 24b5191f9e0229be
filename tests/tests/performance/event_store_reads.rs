//! Event store work, counted with `CountingStore`: a snapshot shortens replays to
//! the events after it, and appends and loads issue a fixed number of statements.

use std::sync::Arc;

use mediaflow_shared::clock::SharedClock;
use mediaflow_shared::event_store::{
    EventStore, ExpectedVersion, NewEvent, Snapshot, SqlEventStore,
};
use mediaflow_shared::events::EventId;
use mediaflow_shared::ids::IdGenerator;
use mediaflow_shared::store::{SqlStore, SqliteStore, migrate};
use mediaflow_tests::support::counting::{CountingStore, StatementKind};
use mediaflow_tests::support::manual_clock;
use serde_json::json;

struct Fixture {
    counting: Arc<CountingStore>,
    events: SqlEventStore,
    clock: SharedClock,
    ids: IdGenerator,
}

async fn fixture() -> Fixture {
    let inner: Arc<dyn SqlStore> = Arc::new(SqliteStore::open_in_memory().expect("opens"));
    migrate(inner.as_ref(), SqlEventStore::migrations())
        .await
        .expect("migrate");
    let counting = Arc::new(CountingStore::new(inner));
    let (_manual, clock) = manual_clock();
    Fixture {
        events: SqlEventStore::new(counting.clone(), clock.clone()),
        counting,
        clock,
        ids: IdGenerator::seeded(21),
    }
}

impl Fixture {
    async fn append(&self, stream: &str, count: u64) {
        let batch = (1..=count)
            .map(|n| NewEvent::new(EventId(self.ids.uuid()), "Viewed", json!({ "n": n })))
            .collect();
        self.events
            .append(stream, ExpectedVersion::Any, batch)
            .await
            .expect("append");
    }
}

#[tokio::test]
async fn loading_with_a_snapshot_reads_only_the_events_after_it() {
    let f = fixture().await;
    f.append("video-1", 100).await;
    f.events
        .save_snapshot(Snapshot {
            stream_id: "video-1".into(),
            version: 95,
            state: json!({ "views": 95 }),
            taken_at: f.clock.now(),
        })
        .await
        .expect("snapshot");
    f.counting.reset();

    let loaded = f.events.load("video-1").await.expect("load");
    assert_eq!(
        loaded.events.len(),
        5,
        "five events follow the snapshot at 95"
    );
    assert_eq!(
        f.counting.counts().rows_returned,
        6,
        "loading must read the snapshot row and the 5 later events, not all 100 events"
    );
}

#[tokio::test]
async fn loading_without_a_snapshot_replays_the_whole_stream() {
    let f = fixture().await;
    f.append("video-1", 40).await;
    f.counting.reset();
    let loaded = f.events.load("video-1").await.expect("load");
    assert_eq!(
        loaded.events.len(),
        40,
        "every event must be replayed without a snapshot"
    );
    assert_eq!(
        f.counting.counts().rows_returned,
        40,
        "exactly the 40 event rows must be read"
    );
}

#[tokio::test]
async fn a_load_costs_two_selects_whatever_the_stream_length() {
    let f = fixture().await;
    f.append("video-1", 60).await;
    f.counting.reset();
    f.events.load("video-1").await.expect("load");
    let counts = f.counting.counts();
    assert_eq!(
        counts.of(StatementKind::Select),
        2,
        "a load must be one snapshot query plus one events query"
    );
    assert_eq!(
        counts.statements(),
        2,
        "a load must not issue per-event statements"
    );
}

#[tokio::test]
async fn an_append_of_n_events_uses_one_transaction_one_version_check_and_n_inserts() {
    let f = fixture().await;
    f.append("video-1", 3).await;
    f.counting.reset();
    f.append("video-1", 10).await;
    let counts = f.counting.counts();
    assert_eq!(
        counts.transactions, 1,
        "an append must run in exactly one transaction"
    );
    assert_eq!(
        counts.selects, 1,
        "an append must check the stream version once"
    );
    assert_eq!(
        counts.inserts, 10,
        "an append of 10 events must insert 10 rows"
    );
}
