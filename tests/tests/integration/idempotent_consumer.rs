//! Idempotent consumers: processed event ids recorded per consumer in the same
//! transaction as the effect, pruning, and the in-memory dedupe window.

use std::sync::Arc;
use std::time::Duration;

use mediaflow_shared::clock::{ManualClock, SharedClock};
use mediaflow_shared::events::EventId;
use mediaflow_shared::events::idempotency::{DedupeWindow, ProcessedEvents};
use mediaflow_shared::ids::IdGenerator;
use mediaflow_shared::store::{Migration, SqlStore, SqliteStore, migrate};
use mediaflow_tests::support::manual_clock;

const VIEWS: Migration = Migration {
    version: 1,
    name: "view counts",
    sql: "CREATE TABLE view_counts (video_id TEXT PRIMARY KEY, views BIGINT NOT NULL);
          INSERT INTO view_counts (video_id, views) VALUES ('v1', 0);",
};

struct Fixture {
    store: Arc<dyn SqlStore>,
    manual: Arc<ManualClock>,
    clock: SharedClock,
}

async fn fixture() -> Fixture {
    let store: Arc<dyn SqlStore> = Arc::new(SqliteStore::open_in_memory().expect("opens"));
    let mut migrations = vec![VIEWS];
    migrations.extend_from_slice(ProcessedEvents::migrations());
    migrate(store.as_ref(), &migrations)
        .await
        .expect("the schema is created");
    let (manual, clock) = manual_clock();
    Fixture {
        store,
        manual,
        clock,
    }
}

impl Fixture {
    /// The consumer under test: counts a view once per event id.
    async fn handle_view(&self, consumer: &str, id: EventId, commit: bool) -> bool {
        let mut tx = self.store.begin().await.expect("begin");
        let new = ProcessedEvents::record_if_new(tx.as_mut(), consumer, id, self.clock.now())
            .await
            .expect("recording works");
        if new {
            tx.execute(
                "UPDATE view_counts SET views = views + 1 WHERE video_id = 'v1'",
                &[],
            )
            .await
            .expect("the effect applies");
        }
        if commit {
            tx.commit().await.expect("commit");
        } else {
            tx.rollback().await.expect("rollback");
        }
        new
    }

    async fn views(&self) -> i64 {
        let rows = self
            .store
            .query("SELECT views FROM view_counts", &[])
            .await
            .expect("read");
        rows[0].get("views").expect("views")
    }
}

#[tokio::test]
async fn the_same_event_delivered_twice_is_processed_once() {
    let f = fixture().await;
    let id = EventId(IdGenerator::seeded(1).uuid());
    assert!(
        f.handle_view("analytics", id, true).await,
        "the first delivery must be processed"
    );
    assert!(
        !f.handle_view("analytics", id, true).await,
        "the redelivery must be recognised"
    );
    assert_eq!(
        f.views().await,
        1,
        "a redelivered ViewRecorded must count one view, not two"
    );
}

#[tokio::test]
async fn different_events_with_the_same_type_and_timestamp_are_both_processed() {
    let f = fixture().await;
    let ids = IdGenerator::seeded(2);
    // Both events carry the same type and the same clock reading: only the id tells them apart.
    assert!(
        f.handle_view("analytics", EventId(ids.uuid()), true).await,
        "the first event must be processed"
    );
    assert!(
        f.handle_view("analytics", EventId(ids.uuid()), true).await,
        "a distinct event at the same instant must be processed too"
    );
    assert_eq!(
        f.views().await,
        2,
        "two distinct views in the same instant must count twice"
    );
}

#[tokio::test]
async fn each_consumer_tracks_its_own_processed_events() {
    let f = fixture().await;
    let id = EventId(IdGenerator::seeded(3).uuid());
    assert!(
        f.handle_view("analytics", id, true).await,
        "analytics processes the event"
    );
    assert!(
        f.handle_view("recommendations", id, true).await,
        "recommendations must process the same event independently"
    );
}

#[tokio::test]
async fn a_rolled_back_effect_forgets_the_record_so_the_retry_is_processed() {
    let f = fixture().await;
    let id = EventId(IdGenerator::seeded(4).uuid());
    assert!(
        f.handle_view("analytics", id, false).await,
        "the first attempt sees a new event"
    );
    assert_eq!(
        f.views().await,
        0,
        "the rolled-back attempt must leave no effect"
    );
    assert!(
        f.handle_view("analytics", id, true).await,
        "the redelivery after a failed attempt must be processed"
    );
    assert_eq!(f.views().await, 1, "the retried event must count once");
}

#[tokio::test]
async fn pruning_forgets_only_the_older_records_of_that_consumer() {
    let f = fixture().await;
    let ids = IdGenerator::seeded(5);
    let old = EventId(ids.uuid());
    let other_consumer = EventId(ids.uuid());
    f.handle_view("analytics", old, true).await;
    f.handle_view("recommendations", other_consumer, true).await;
    f.manual.advance(Duration::from_secs(3_600));
    let recent = EventId(ids.uuid());
    f.handle_view("analytics", recent, true).await;

    let cutoff = f.clock.now() - chrono::TimeDelta::minutes(30);
    let pruned = ProcessedEvents::prune_older_than(f.store.as_ref(), "analytics", cutoff)
        .await
        .expect("prune");
    assert_eq!(
        pruned, 1,
        "only the hour-old analytics record is older than the cutoff"
    );
    assert!(
        !f.handle_view("analytics", recent, true).await,
        "the recent record must survive pruning"
    );
    assert!(
        !f.handle_view("recommendations", other_consumer, true).await,
        "another consumer's records must not be pruned"
    );
    assert!(
        f.handle_view("analytics", old, true).await,
        "the pruned id is forgotten and processed again"
    );
}

#[test]
fn the_dedupe_window_recognises_a_redelivery() {
    let mut window = DedupeWindow::new(3);
    let id = EventId(IdGenerator::seeded(6).uuid());
    assert!(window.insert(id), "a new id must be accepted");
    assert!(
        !window.insert(id),
        "the same id again must be rejected as a duplicate"
    );
    assert_eq!(window.len(), 1, "a duplicate must not take a second slot");
}

#[test]
fn the_dedupe_window_evicts_the_oldest_id_never_the_newest() {
    let ids = IdGenerator::seeded(7);
    let mut window = DedupeWindow::new(2);
    let (first, second, third) = (
        EventId(ids.uuid()),
        EventId(ids.uuid()),
        EventId(ids.uuid()),
    );
    window.insert(first);
    window.insert(second);
    window.insert(third);
    assert!(
        !window.contains(first),
        "the oldest id must be evicted when the window is full"
    );
    assert!(
        window.contains(second),
        "the second id must still be remembered"
    );
    assert!(
        window.contains(third),
        "the newest id must be remembered: it is the likeliest to be redelivered"
    );
    assert!(
        !window.insert(third),
        "a redelivery of the newest id must still be caught"
    );
}
