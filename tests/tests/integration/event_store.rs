//! The SQL event store: append and read, expected-version checks, concurrent
//! appends where exactly one writer wins, and snapshots.

use std::sync::Arc;

use mediaflow_shared::clock::SharedClock;
use mediaflow_shared::event_store::{
    EventStore, EventStoreError, ExpectedVersion, NewEvent, Snapshot, SqlEventStore,
};
use mediaflow_shared::events::EventId;
use mediaflow_shared::ids::IdGenerator;
use mediaflow_shared::store::{SqlStore, SqliteStore, StoreError, migrate};
use mediaflow_tests::support::manual_clock;
use serde_json::json;

struct Fixture {
    events: Arc<SqlEventStore>,
    ids: IdGenerator,
    clock: SharedClock,
}

async fn fixture() -> Fixture {
    let store: Arc<dyn SqlStore> = Arc::new(SqliteStore::open_in_memory().expect("opens"));
    migrate(store.as_ref(), SqlEventStore::migrations())
        .await
        .expect("event store tables are created");
    let (_manual, clock) = manual_clock();
    Fixture {
        events: Arc::new(SqlEventStore::new(store, clock.clone())),
        ids: IdGenerator::seeded(7),
        clock,
    }
}

impl Fixture {
    fn event(&self, event_type: &str, n: u64) -> NewEvent {
        NewEvent::new(EventId(self.ids.uuid()), event_type, json!({ "n": n }))
    }
}

#[tokio::test]
async fn appended_events_read_back_in_order_with_their_metadata() {
    let f = fixture().await;
    let created = f.event("VideoCreated", 1).correlated("req-1").schema(2);
    let titled = f.event("VideoRetitled", 2);
    let version = f
        .events
        .append(
            "video-1",
            ExpectedVersion::NoStream,
            vec![created.clone(), titled.clone()],
        )
        .await
        .expect("the first append succeeds");
    assert_eq!(
        version, 2,
        "appending two events to a new stream must return version 2"
    );

    let stored = f
        .events
        .read("video-1", 1)
        .await
        .expect("the stream is readable");
    assert_eq!(stored.len(), 2, "both events must be stored");
    assert_eq!(stored[0].id, created.id, "the first event must come first");
    assert_eq!(stored[0].sequence, 1, "versions must start at 1");
    assert_eq!(stored[1].sequence, 2, "versions must have no gaps");
    assert_eq!(
        stored[0].aggregate_id, "video-1",
        "the aggregate id must be the stream id"
    );
    assert_eq!(
        stored[0].event_type, "VideoCreated",
        "the event type must round-trip"
    );
    assert_eq!(
        stored[0].schema_version, 2,
        "the schema version must round-trip"
    );
    assert_eq!(
        stored[0].correlation_id, "req-1",
        "the correlation id must round-trip"
    );
    assert_eq!(
        stored[0].payload,
        json!({ "n": 1 }),
        "the payload must round-trip"
    );
    assert_eq!(
        stored[0].occurred_at,
        f.clock.now(),
        "events must be stamped with the injected clock"
    );
}

#[tokio::test]
async fn a_caused_event_inherits_the_correlation_of_its_cause() {
    let f = fixture().await;
    f.events
        .append(
            "a",
            ExpectedVersion::NoStream,
            vec![f.event("Uploaded", 1).correlated("req-9")],
        )
        .await
        .expect("append");
    let cause = f.events.read("a", 1).await.expect("read").remove(0);
    f.events
        .append(
            "b",
            ExpectedVersion::NoStream,
            vec![f.event("Transcoded", 1).caused_by(&cause)],
        )
        .await
        .expect("append");
    let effect = f.events.read("b", 1).await.expect("read").remove(0);
    assert_eq!(
        effect.causation_id,
        Some(cause.id),
        "the causation id must point at the cause"
    );
    assert_eq!(
        effect.correlation_id, "req-9",
        "the correlation id must carry over from the cause"
    );
}

#[tokio::test]
async fn no_stream_fails_when_the_stream_already_exists() {
    let f = fixture().await;
    f.events
        .append(
            "video-1",
            ExpectedVersion::NoStream,
            vec![f.event("Created", 1)],
        )
        .await
        .expect("append");
    let second = f
        .events
        .append(
            "video-1",
            ExpectedVersion::NoStream,
            vec![f.event("Created", 2)],
        )
        .await;
    assert!(
        matches!(
            second,
            Err(EventStoreError::VersionConflict {
                actual: 1,
                expected: ExpectedVersion::NoStream,
                ..
            })
        ),
        "creating an existing stream must conflict at version 1, got {second:?}"
    );
    assert_eq!(
        f.events.read("video-1", 1).await.expect("read").len(),
        1,
        "the rejected event must not be stored"
    );
}

#[tokio::test]
async fn exact_with_a_stale_version_conflicts_and_reports_the_actual_version() {
    let f = fixture().await;
    f.events
        .append(
            "video-1",
            ExpectedVersion::NoStream,
            vec![f.event("A", 1), f.event("B", 2), f.event("C", 3)],
        )
        .await
        .expect("append");
    let stale = f
        .events
        .append("video-1", ExpectedVersion::Exact(2), vec![f.event("D", 4)])
        .await;
    match stale {
        Err(EventStoreError::VersionConflict {
            stream,
            expected,
            actual,
        }) => {
            assert_eq!(stream, "video-1", "the conflict must name the stream");
            assert_eq!(
                expected,
                ExpectedVersion::Exact(2),
                "the conflict must echo the expectation"
            );
            assert_eq!(
                actual, 3,
                "the conflict must report the stream's real version"
            );
        }
        other => panic!("a stale expected version must conflict, got {other:?}"),
    }
    let current = f
        .events
        .append("video-1", ExpectedVersion::Exact(3), vec![f.event("D", 4)])
        .await;
    assert_eq!(
        current.expect("the current version appends"),
        4,
        "appending at the right version must succeed"
    );
}

#[tokio::test]
async fn any_appends_whatever_the_version() {
    let f = fixture().await;
    f.events
        .append("log", ExpectedVersion::Any, vec![f.event("A", 1)])
        .await
        .expect("append");
    let version = f
        .events
        .append("log", ExpectedVersion::Any, vec![f.event("B", 2)])
        .await
        .expect("append");
    assert_eq!(
        version, 2,
        "ExpectedVersion::Any must append after whatever is there"
    );
}

#[tokio::test]
async fn read_from_a_version_skips_the_earlier_events() {
    let f = fixture().await;
    let batch = (1..=5).map(|n| f.event("Tick", n)).collect();
    f.events
        .append("ticks", ExpectedVersion::NoStream, batch)
        .await
        .expect("append");
    let tail = f.events.read("ticks", 4).await.expect("read");
    let sequences: Vec<u64> = tail.iter().map(|e| e.sequence).collect();
    assert_eq!(
        sequences,
        vec![4, 5],
        "reading from version 4 must return versions 4 and 5"
    );
    assert!(
        f.events.read("missing", 1).await.expect("read").is_empty(),
        "an unknown stream must read as empty"
    );
    assert_eq!(
        f.events.stream_version("missing").await.expect("version"),
        0,
        "an unknown stream is at version 0"
    );
}

#[tokio::test]
async fn concurrent_appends_with_the_same_expected_version_exactly_one_wins() {
    let f = fixture().await;
    f.events
        .append(
            "video-1",
            ExpectedVersion::NoStream,
            vec![f.event("Created", 0)],
        )
        .await
        .expect("append");
    let mut tasks = Vec::new();
    for n in 0..8 {
        let events = Arc::clone(&f.events);
        let event = f.event("Retitled", n);
        tasks.push(tokio::spawn(async move {
            events
                .append("video-1", ExpectedVersion::Exact(1), vec![event])
                .await
        }));
    }
    let mut wins = 0;
    let mut conflicts = 0;
    for task in tasks {
        match task.await.expect("the task completes") {
            Ok(version) => {
                wins += 1;
                assert_eq!(version, 2, "the winner must land at version 2");
            }
            Err(EventStoreError::VersionConflict { actual: 2, .. }) => conflicts += 1,
            Err(other) => panic!("a losing writer must get a version conflict, got {other:?}"),
        }
    }
    assert_eq!(
        wins, 1,
        "exactly one of eight writers expecting version 1 must win"
    );
    assert_eq!(conflicts, 7, "the other seven must get a version conflict");
    assert_eq!(
        f.events.read("video-1", 1).await.expect("read").len(),
        2,
        "the stream must hold two events"
    );
}

#[tokio::test]
async fn a_repeated_event_id_is_rejected_and_leaves_the_stream_unchanged() {
    let f = fixture().await;
    let event = f.event("Created", 1);
    f.events
        .append("video-1", ExpectedVersion::NoStream, vec![event.clone()])
        .await
        .expect("append");
    let again = f
        .events
        .append(
            "video-1",
            ExpectedVersion::Any,
            vec![f.event("Other", 2), event],
        )
        .await;
    assert!(
        matches!(
            again,
            Err(EventStoreError::Store(StoreError::Constraint(_)))
        ),
        "appending an already stored event id must be a constraint error, got {again:?}"
    );
    assert_eq!(
        f.events.stream_version("video-1").await.expect("version"),
        1,
        "a rejected batch must leave no event behind, not even the valid first one"
    );
}

#[tokio::test]
async fn snapshots_round_trip_and_an_older_one_never_replaces_a_newer_one() {
    let f = fixture().await;
    let batch = (1..=6).map(|n| f.event("Tick", n)).collect();
    f.events
        .append("video-1", ExpectedVersion::NoStream, batch)
        .await
        .expect("append");
    assert_eq!(
        f.events.load_snapshot("video-1").await.expect("load"),
        None,
        "no snapshot exists yet"
    );

    let newer = Snapshot {
        stream_id: "video-1".into(),
        version: 5,
        state: json!({ "title": "five" }),
        taken_at: f.clock.now(),
    };
    f.events.save_snapshot(newer.clone()).await.expect("save");
    let older = Snapshot {
        version: 3,
        state: json!({ "title": "three" }),
        ..newer.clone()
    };
    f.events
        .save_snapshot(older)
        .await
        .expect("saving an older snapshot is not an error");
    assert_eq!(
        f.events.load_snapshot("video-1").await.expect("load"),
        Some(newer),
        "the newest snapshot must survive an older one being saved after it"
    );
}

#[tokio::test]
async fn a_snapshot_beyond_the_stream_is_rejected() {
    let f = fixture().await;
    f.events
        .append("video-1", ExpectedVersion::NoStream, vec![f.event("A", 1)])
        .await
        .expect("append");
    let ahead = Snapshot {
        stream_id: "video-1".into(),
        version: 9,
        state: json!({}),
        taken_at: f.clock.now(),
    };
    let result = f.events.save_snapshot(ahead).await;
    assert!(
        matches!(
            result,
            Err(EventStoreError::SnapshotAhead {
                snapshot_version: 9,
                stream_version: 1,
                ..
            })
        ),
        "a snapshot at version 9 of a stream at 1 must be rejected, got {result:?}"
    );
}

#[tokio::test]
async fn load_returns_the_snapshot_and_only_the_events_after_it() {
    let f = fixture().await;
    let batch = (1..=7).map(|n| f.event("Tick", n)).collect();
    f.events
        .append("video-1", ExpectedVersion::NoStream, batch)
        .await
        .expect("append");
    f.events
        .save_snapshot(Snapshot {
            stream_id: "video-1".into(),
            version: 5,
            state: json!({ "sum": 15 }),
            taken_at: f.clock.now(),
        })
        .await
        .expect("save");
    let loaded = f.events.load("video-1").await.expect("load");
    assert_eq!(
        loaded.snapshot.as_ref().map(|s| s.version),
        Some(5),
        "the snapshot must be loaded"
    );
    let sequences: Vec<u64> = loaded.events.iter().map(|e| e.sequence).collect();
    assert_eq!(
        sequences,
        vec![6, 7],
        "only the events after the snapshot must be loaded"
    );
    assert_eq!(
        loaded.version(),
        7,
        "the loaded stream must report its latest version"
    );
}

#[tokio::test]
async fn append_in_writes_events_only_when_the_callers_transaction_commits() {
    let store: Arc<dyn SqlStore> = Arc::new(SqliteStore::open_in_memory().expect("opens"));
    migrate(store.as_ref(), SqlEventStore::migrations())
        .await
        .expect("event store tables are created");
    store
        .execute("CREATE TABLE side_effects (stream TEXT NOT NULL)", &[])
        .await
        .expect("a side table for the caller's own write");
    let (_manual, clock) = manual_clock();
    let events = SqlEventStore::new(store.clone(), clock.clone());
    let ids = IdGenerator::seeded(21);
    let event = |n: u64| {
        NewEvent::new(EventId(ids.uuid()), "VideoCreated", json!({ "n": n })).correlated("req-7")
    };

    let mut tx = store.begin().await.expect("begin");
    let (version, stored) = events
        .append_in(
            tx.as_mut(),
            "video-1",
            ExpectedVersion::NoStream,
            vec![event(1)],
        )
        .await
        .expect("appending inside a transaction succeeds");
    tx.execute(
        "INSERT INTO side_effects (stream) VALUES ($1)",
        &mediaflow_shared::params!["video-1"],
    )
    .await
    .expect("the caller writes in the same transaction");
    tx.rollback().await.expect("rollback");
    assert_eq!(version, 1, "the append reports the version it would reach");
    assert_eq!(
        events.stream_version("video-1").await.expect("version"),
        0,
        "a rolled-back transaction must leave no event behind"
    );

    let mut tx = store.begin().await.expect("begin");
    let (version, stored_again) = events
        .append_in(
            tx.as_mut(),
            "video-1",
            ExpectedVersion::NoStream,
            vec![event(1), event(2)],
        )
        .await
        .expect("the stream is still empty, so NoStream holds");
    tx.execute(
        "INSERT INTO side_effects (stream) VALUES ($1)",
        &mediaflow_shared::params!["video-1"],
    )
    .await
    .expect("the caller writes in the same transaction");
    tx.commit().await.expect("commit");
    assert_eq!(version, 2, "two events take a new stream to version 2");
    assert_eq!(
        stored.len(),
        1,
        "the first attempt returned its one envelope"
    );
    let sequences: Vec<u64> = stored_again.iter().map(|e| e.sequence).collect();
    assert_eq!(
        sequences,
        vec![1, 2],
        "returned envelopes carry their versions"
    );
    assert!(
        stored_again
            .iter()
            .all(|e| e.aggregate_id == "video-1" && e.correlation_id == "req-7"),
        "returned envelopes carry the stream id and correlation id"
    );
    let read = events.read("video-1", 1).await.expect("read");
    assert_eq!(
        read, stored_again,
        "the returned envelopes must equal what readers see"
    );
    let side = store
        .query("SELECT COUNT(*) AS n FROM side_effects", &[])
        .await
        .expect("count");
    assert_eq!(
        side[0].get::<i64>("n").expect("count"),
        1,
        "only the committed transaction's own write persists, next to its events"
    );

    let mut tx = store.begin().await.expect("begin");
    let stale = events
        .append_in(
            tx.as_mut(),
            "video-1",
            ExpectedVersion::Exact(1),
            vec![event(3)],
        )
        .await;
    assert!(
        matches!(
            stale,
            Err(EventStoreError::VersionConflict { actual: 2, .. })
        ),
        "a stale expected version must be refused inside the transaction, got {stale:?}"
    );
}
