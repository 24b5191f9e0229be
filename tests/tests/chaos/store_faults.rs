//! Store faults: failing writes and commits injected by `ChaosStore`, recovery
//! afterwards, and what the event store and outbox relay do under them.

use std::sync::Arc;

use mediaflow_shared::chaos::{ChaosStore, ChaosStoreStats};
use mediaflow_shared::event_store::{EventStore, ExpectedVersion, NewEvent, SqlEventStore};
use mediaflow_shared::events::idempotency::DedupeWindow;
use mediaflow_shared::events::outbox::{Outbox, OutboxRelay};
use mediaflow_shared::events::{
    ConsumeOptions, EventBus, EventEnvelope, EventId, ExchangeKind, ExchangeSpec, InMemoryBroker,
    QueueSpec,
};
use mediaflow_shared::ids::IdGenerator;
use mediaflow_shared::params;
use mediaflow_shared::store::{SqlStore, SqliteStore, StoreError, migrate};
use mediaflow_tests::support::manual_clock;
use serde_json::json;

async fn chaos_store() -> Arc<ChaosStore> {
    let inner: Arc<dyn SqlStore> = Arc::new(SqliteStore::open_in_memory().expect("opens"));
    inner
        .execute(
            "CREATE TABLE payments (id TEXT PRIMARY KEY, amount BIGINT NOT NULL)",
            &[],
        )
        .await
        .expect("the schema is created");
    Arc::new(ChaosStore::new(inner))
}

async fn payment_count(store: &dyn SqlStore) -> i64 {
    let rows = store
        .query("SELECT COUNT(*) AS n FROM payments", &[])
        .await
        .expect("reads work");
    rows[0].get("n").expect("count")
}

fn is_injected(result: &Result<u64, StoreError>) -> bool {
    matches!(result, Err(StoreError::Unavailable(message)) if message.starts_with("injected fault"))
}

#[tokio::test]
async fn the_next_n_writes_fail_then_writes_recover() {
    let store = chaos_store().await;
    store.fail_next_writes(2);
    let insert = "INSERT INTO payments (id, amount) VALUES ($1, $2)";
    assert!(
        is_injected(&store.execute(insert, &params!["p1", 100]).await),
        "the first write must fail"
    );
    assert!(
        is_injected(&store.execute(insert, &params!["p1", 100]).await),
        "the second write must fail"
    );
    store
        .execute(insert, &params!["p1", 100])
        .await
        .expect("the third write must go through");
    assert_eq!(
        payment_count(store.as_ref()).await,
        1,
        "only the write after the faults may persist"
    );
    assert_eq!(
        store.stats(),
        ChaosStoreStats {
            failed_writes: 2,
            failed_commits: 0,
            writes_passed: 1,
            commits_passed: 0
        },
        "the stats must count two injected failures and one passed write"
    );
}

#[tokio::test]
async fn reads_are_unaffected_while_write_faults_are_armed() {
    let store = chaos_store().await;
    store
        .execute("INSERT INTO payments VALUES ('p1', 5)", &[])
        .await
        .expect("seed");
    store.fail_next_writes(10);
    assert_eq!(
        payment_count(store.as_ref()).await,
        1,
        "a read must succeed while writes are failing"
    );
    let mut tx = store.begin().await.expect("begin");
    let rows = tx.query("SELECT id FROM payments", &[]).await;
    assert_eq!(
        rows.expect("a read inside a transaction must succeed")
            .len(),
        1,
        "the seeded row must be visible"
    );
    assert_eq!(
        store.stats().failed_writes,
        0,
        "reads must not consume write faults"
    );
}

#[tokio::test]
async fn write_faults_reach_statements_inside_transactions() {
    let store = chaos_store().await;
    store.fail_next_writes(1);
    let mut tx = store.begin().await.expect("begin");
    let result = tx
        .execute("INSERT INTO payments VALUES ('p1', 5)", &[])
        .await;
    assert!(
        is_injected(&result),
        "a write inside a transaction must fail too, got {result:?}"
    );
}

#[tokio::test]
async fn a_failed_commit_leaves_no_data() {
    let store = chaos_store().await;
    store.fail_next_commits(1);
    let mut tx = store.begin().await.expect("begin");
    tx.execute("INSERT INTO payments VALUES ('p1', 500)", &[])
        .await
        .expect("the write itself succeeds");
    let commit = tx.commit().await;
    assert!(
        matches!(&commit, Err(StoreError::Unavailable(message)) if message.contains("injected fault")),
        "the commit must fail with the injected fault, got {commit:?}"
    );
    assert_eq!(
        payment_count(store.as_ref()).await,
        0,
        "a payment whose commit failed must not persist"
    );
    assert_eq!(
        store.stats().failed_commits,
        1,
        "the failed commit must be counted"
    );

    let mut retry = store.begin().await.expect("begin");
    retry
        .execute("INSERT INTO payments VALUES ('p1', 500)", &[])
        .await
        .expect("write");
    retry
        .commit()
        .await
        .expect("the next commit must go through");
    assert_eq!(
        payment_count(store.as_ref()).await,
        1,
        "the retried payment must persist exactly once"
    );
}

#[tokio::test]
async fn heal_disarms_pending_faults() {
    let store = chaos_store().await;
    store.fail_next_writes(5);
    store.fail_next_commits(5);
    store.heal();
    let mut tx = store.begin().await.expect("begin");
    tx.execute("INSERT INTO payments VALUES ('p1', 1)", &[])
        .await
        .expect("no write fault after heal");
    tx.commit().await.expect("no commit fault after heal");
    assert_eq!(
        store.stats().injected_failures(),
        0,
        "nothing may have been injected after heal"
    );
}

#[tokio::test]
async fn an_append_hit_by_a_write_fault_leaves_the_stream_unchanged_and_can_be_retried() {
    let inner: Arc<dyn SqlStore> = Arc::new(SqliteStore::open_in_memory().expect("opens"));
    migrate(inner.as_ref(), SqlEventStore::migrations())
        .await
        .expect("migrate");
    let chaos = Arc::new(ChaosStore::new(inner));
    let (_manual, clock) = manual_clock();
    let events = SqlEventStore::new(chaos.clone(), clock);
    let ids = IdGenerator::seeded(3);
    let batch = vec![
        NewEvent::new(EventId(ids.uuid()), "Charged", json!({ "amount": 1 })),
        NewEvent::new(EventId(ids.uuid()), "Receipted", json!({})),
    ];

    chaos.fail_next_writes(1);
    let failed = events
        .append("invoice-1", ExpectedVersion::NoStream, batch.clone())
        .await;
    assert!(
        failed.is_err(),
        "an append whose insert fails must report the failure"
    );
    assert_eq!(
        events.stream_version("invoice-1").await.expect("version"),
        0,
        "a failed append must store nothing"
    );
    let version = events
        .append("invoice-1", ExpectedVersion::NoStream, batch)
        .await
        .expect("the retry succeeds");
    assert_eq!(version, 2, "the retried append must store both events");
}

#[tokio::test]
async fn the_relay_republishes_when_marking_fails_and_a_dedupe_window_absorbs_it() {
    let inner: Arc<dyn SqlStore> = Arc::new(SqliteStore::open_in_memory().expect("opens"));
    migrate(inner.as_ref(), Outbox::migrations())
        .await
        .expect("migrate");
    let chaos = Arc::new(ChaosStore::new(inner));
    let broker = InMemoryBroker::new();
    broker
        .declare_exchange(&ExchangeSpec::durable(
            "billing.events",
            ExchangeKind::Fanout,
        ))
        .await
        .expect("exchange");
    broker
        .declare_queue(&QueueSpec::durable("ledger"))
        .await
        .expect("queue");
    broker
        .bind_queue("ledger", "billing.events", "")
        .await
        .expect("bind");
    let (_manual, clock) = manual_clock();
    let envelope = EventEnvelope {
        id: EventId(IdGenerator::seeded(9).uuid()),
        event_type: "PaymentCaptured".into(),
        aggregate_id: "invoice-1".into(),
        sequence: 1,
        occurred_at: clock.now(),
        schema_version: 1,
        correlation_id: "req-1".into(),
        causation_id: None,
        payload: json!({ "amount": 999 }),
    };
    let mut tx = chaos.begin().await.expect("begin");
    Outbox::enqueue(tx.as_mut(), "billing.events", "", &envelope)
        .await
        .expect("enqueue");
    tx.commit().await.expect("commit");

    let relay = OutboxRelay::new(chaos.clone(), Arc::new(broker.clone()), clock, 10);
    chaos.fail_next_writes(1);
    assert!(
        relay.run_once().await.is_err(),
        "a pass whose mark-as-published write fails must report the store error"
    );
    assert_eq!(
        relay.pending_count().await.expect("count"),
        1,
        "the unmarked event must stay pending"
    );
    assert_eq!(
        relay.run_once().await.expect("relay").published,
        1,
        "the next pass must publish it again"
    );

    let mut consumer = broker
        .consume("ledger", ConsumeOptions::new("ledger", 0))
        .await
        .expect("consume");
    let mut window = DedupeWindow::new(16);
    let mut processed = 0;
    let mut deliveries = 0;
    while let Some(delivery) = consumer.try_next() {
        deliveries += 1;
        let event = EventEnvelope::from_delivery(&delivery).expect("a valid envelope");
        if window.insert(event.id) {
            processed += 1;
        }
        delivery.ack().await.expect("ack");
    }
    assert_eq!(
        deliveries, 2,
        "at-least-once: the crash window must produce a second delivery"
    );
    assert_eq!(
        processed, 1,
        "deduplicating by event id must process the payment once"
    );
}
