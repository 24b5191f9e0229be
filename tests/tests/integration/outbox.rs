//! The transactional outbox and its relay: events persist with the state change
//! or not at all, leave oldest first, and a failed publish is retried in order.

use std::sync::Arc;

use mediaflow_shared::chaos::{BusFault, ChaosBus};
use mediaflow_shared::clock::SharedClock;
use mediaflow_shared::events::outbox::{Outbox, OutboxRelay, RelayOutcome};
use mediaflow_shared::events::{
    ConsumeOptions, EventBus, EventEnvelope, EventId, ExchangeKind, ExchangeSpec, InMemoryBroker,
    QueueSpec,
};
use mediaflow_shared::ids::IdGenerator;
use mediaflow_shared::params;
use mediaflow_shared::store::{Migration, SqlStore, SqliteStore, migrate};
use mediaflow_tests::support::manual_clock;
use serde_json::json;

const EXCHANGE: &str = "catalog.events";
const QUEUE: &str = "search.videos";

const VIDEOS: Migration = Migration {
    version: 1,
    name: "videos",
    sql: "CREATE TABLE videos (id TEXT PRIMARY KEY, title TEXT NOT NULL)",
};

struct Fixture {
    store: Arc<dyn SqlStore>,
    broker: InMemoryBroker,
    clock: SharedClock,
    ids: IdGenerator,
}

async fn fixture() -> Fixture {
    let store: Arc<dyn SqlStore> = Arc::new(SqliteStore::open_in_memory().expect("opens"));
    let mut migrations = vec![VIDEOS];
    migrations.extend_from_slice(Outbox::migrations());
    migrate(store.as_ref(), &migrations)
        .await
        .expect("the schema is created");
    let broker = InMemoryBroker::new();
    broker
        .declare_exchange(&ExchangeSpec::durable(EXCHANGE, ExchangeKind::Topic))
        .await
        .expect("exchange declared");
    broker
        .declare_queue(&QueueSpec::durable(QUEUE))
        .await
        .expect("queue declared");
    broker
        .bind_queue(QUEUE, EXCHANGE, "video.#")
        .await
        .expect("queue bound");
    let (_manual, clock) = manual_clock();
    Fixture {
        store,
        broker,
        clock,
        ids: IdGenerator::seeded(11),
    }
}

impl Fixture {
    fn envelope(&self, video: &str, sequence: u64) -> EventEnvelope {
        EventEnvelope {
            id: EventId(self.ids.uuid()),
            event_type: "VideoCreated".into(),
            aggregate_id: video.into(),
            sequence,
            occurred_at: self.clock.now(),
            schema_version: 1,
            correlation_id: "req-1".into(),
            causation_id: None,
            payload: json!({ "video": video }),
        }
    }

    /// Creates a video and enqueues its event in one transaction.
    async fn create_video(&self, video: &str, routing_key: &str, commit: bool) -> EventEnvelope {
        let envelope = self.envelope(video, 1);
        let mut tx = self.store.begin().await.expect("a transaction starts");
        tx.execute(
            "INSERT INTO videos (id, title) VALUES ($1, $2)",
            &params![video, "t"],
        )
        .await
        .expect("the video is inserted");
        Outbox::enqueue(tx.as_mut(), EXCHANGE, routing_key, &envelope)
            .await
            .expect("the event is enqueued");
        if commit {
            tx.commit().await.expect("commit");
        } else {
            tx.rollback().await.expect("rollback");
        }
        envelope
    }

    fn relay(&self, bus: Arc<dyn EventBus>, batch_size: usize) -> OutboxRelay {
        OutboxRelay::new(Arc::clone(&self.store), bus, self.clock.clone(), batch_size)
    }

    /// Message ids waiting in the queue, in delivery order.
    async fn delivered_ids(&self) -> Vec<String> {
        let mut consumer = self
            .broker
            .consume(QUEUE, ConsumeOptions::new("test", 0))
            .await
            .expect("consume");
        let mut ids = Vec::new();
        while let Some(delivery) = consumer.try_next() {
            ids.push(
                delivery
                    .message
                    .message_id
                    .clone()
                    .expect("outbox messages carry the event id"),
            );
            delivery.ack().await.expect("ack");
        }
        ids
    }
}

#[tokio::test]
async fn an_event_enqueued_in_a_rolled_back_transaction_is_never_published() {
    let f = fixture().await;
    f.create_video("v1", "video.created", false).await;
    let relay = f.relay(Arc::new(f.broker.clone()), 10);
    assert_eq!(
        relay.pending_count().await.expect("count"),
        0,
        "a rolled-back transaction must leave no outbox row"
    );
    assert_eq!(
        relay.run_once().await.expect("relay"),
        RelayOutcome::default(),
        "the relay must find nothing to send"
    );
    assert!(
        f.delivered_ids().await.is_empty(),
        "no event may reach the bus for a change that never happened"
    );
}

#[tokio::test]
async fn an_event_enqueued_with_a_committed_write_persists_with_it() {
    let f = fixture().await;
    f.create_video("v1", "video.created", true).await;
    let relay = f.relay(Arc::new(f.broker.clone()), 10);
    let videos = f
        .store
        .query("SELECT id FROM videos", &[])
        .await
        .expect("read");
    assert_eq!(videos.len(), 1, "the state change must be committed");
    assert_eq!(
        relay.pending_count().await.expect("count"),
        1,
        "its event must wait in the outbox"
    );
}

#[tokio::test]
async fn the_relay_publishes_oldest_first_and_marks_events_published() {
    let f = fixture().await;
    let mut expected = Vec::new();
    for video in ["v1", "v2", "v3"] {
        expected.push(
            f.create_video(video, "video.created", true)
                .await
                .id
                .to_string(),
        );
    }
    let relay = f.relay(Arc::new(f.broker.clone()), 10);
    let outcome = relay.run_once().await.expect("relay");
    assert_eq!(
        outcome,
        RelayOutcome {
            published: 3,
            unroutable: 0,
            failed: 0
        },
        "all three events must be published"
    );
    assert_eq!(
        f.delivered_ids().await,
        expected,
        "events must reach the queue in the order they were enqueued"
    );
    assert_eq!(
        relay.pending_count().await.expect("count"),
        0,
        "published events must be marked"
    );
    assert_eq!(
        relay.run_once().await.expect("relay"),
        RelayOutcome::default(),
        "a marked event must not be sent again"
    );
}

#[tokio::test]
async fn a_publish_failure_stops_the_batch_and_the_next_run_retries_in_order() {
    let f = fixture().await;
    let mut expected = Vec::new();
    for video in ["v1", "v2", "v3"] {
        expected.push(
            f.create_video(video, "video.created", true)
                .await
                .id
                .to_string(),
        );
    }
    let chaos = Arc::new(ChaosBus::new(Arc::new(f.broker.clone()), 1));
    chaos.inject(BusFault::FailNext(1));
    let relay = f.relay(chaos, 10);

    let first = relay
        .run_once()
        .await
        .expect("a bus failure is an outcome, not an error");
    assert_eq!(
        first,
        RelayOutcome {
            published: 0,
            unroutable: 0,
            failed: 1
        },
        "the pass must stop at the failed first event instead of sending the later ones ahead of it"
    );
    assert_eq!(
        relay.pending_count().await.expect("count"),
        3,
        "nothing may be marked after a failed publish"
    );
    let rows = f
        .store
        .query(
            "SELECT attempts, last_error FROM outbox ORDER BY seq LIMIT 1",
            &[],
        )
        .await
        .expect("read");
    assert_eq!(
        rows[0].get::<i64>("attempts").expect("attempts"),
        1,
        "the failed attempt must be counted"
    );
    assert!(
        rows[0]
            .get::<Option<String>>("last_error")
            .expect("error")
            .is_some(),
        "the failure must be recorded"
    );

    let second = relay.run_once().await.expect("relay");
    assert_eq!(second.published, 3, "the next pass must publish all three");
    assert_eq!(
        f.delivered_ids().await,
        expected,
        "the retried events must still arrive in order"
    );
}

#[tokio::test]
async fn unroutable_events_are_counted_and_not_resent() {
    let f = fixture().await;
    f.create_video("v1", "billing.invoice", true).await;
    let relay = f.relay(Arc::new(f.broker.clone()), 10);
    let outcome = relay.run_once().await.expect("relay");
    assert_eq!(
        outcome,
        RelayOutcome {
            published: 0,
            unroutable: 1,
            failed: 0
        },
        "an event whose routing key matches no binding must be reported as unroutable"
    );
    assert_eq!(
        relay.pending_count().await.expect("count"),
        0,
        "the broker dropped it; re-sending cannot help"
    );
}

#[tokio::test]
async fn publishing_to_an_undeclared_exchange_fails_and_stays_pending() {
    let f = fixture().await;
    let envelope = f.envelope("v1", 1);
    let mut tx = f.store.begin().await.expect("begin");
    Outbox::enqueue(tx.as_mut(), "not.declared", "video.created", &envelope)
        .await
        .expect("enqueue");
    tx.commit().await.expect("commit");
    let relay = f.relay(Arc::new(f.broker.clone()), 10);
    let outcome = relay.run_once().await.expect("relay");
    assert_eq!(
        outcome.failed, 1,
        "a publish to an undeclared exchange must count as failed"
    );
    assert_eq!(
        relay.pending_count().await.expect("count"),
        1,
        "the event must stay pending until the topology exists"
    );
}

#[tokio::test]
async fn the_batch_size_bounds_one_pass() {
    let f = fixture().await;
    for video in ["v1", "v2", "v3", "v4", "v5"] {
        f.create_video(video, "video.created", true).await;
    }
    let relay = f.relay(Arc::new(f.broker.clone()), 2);
    assert_eq!(
        relay.run_once().await.expect("relay").published,
        2,
        "a pass must publish at most the batch size"
    );
    assert_eq!(
        relay.pending_count().await.expect("count"),
        3,
        "the rest must wait for the next pass"
    );
}
