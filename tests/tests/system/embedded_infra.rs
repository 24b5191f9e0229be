//! End-to-end flows across the embedded infrastructure, the way services use it:
//! a state change and its event committed together, relayed through the outbox,
//! routed by topic to several consumers that deduplicate and project in order.

use std::sync::Arc;
use std::time::Duration;

use mediaflow_shared::Infra;
use mediaflow_shared::chaos::{BusFault, ChaosBus};
use mediaflow_shared::event_store::{
    EventStore, ExpectedVersion, NewEvent, Offer, OrderedProjection, SqlEventStore,
};
use mediaflow_shared::events::idempotency::ProcessedEvents;
use mediaflow_shared::events::outbox::{Outbox, OutboxRelay};
use mediaflow_shared::events::{
    ConsumeOptions, Consumer, EventEnvelope, EventId, ExchangeKind, ExchangeSpec, QueueSpec,
    Topology,
};
use mediaflow_shared::params;
use mediaflow_shared::registry::{Heartbeat, HeartbeatOutcome, RoundRobin, ServiceInstance};
use mediaflow_shared::store::{SqlStore, migrate};
use mediaflow_tests::support::manual_clock;

const EXCHANGE: &str = "mediaflow.events";

/// The platform's topology fragment for these flows: a topic exchange, two
/// consumer queues dead-lettering after three deliveries, a dead-letter queue.
fn topology() -> Topology {
    Topology::new()
        .exchange(ExchangeSpec::durable(EXCHANGE, ExchangeKind::Topic))
        .exchange(ExchangeSpec::durable("mediaflow.dlx", ExchangeKind::Fanout))
        .queue(
            QueueSpec::durable("recommendations.videos")
                .dead_letter_to("mediaflow.dlx")
                .delivery_limit(3),
        )
        .queue(
            QueueSpec::durable("analytics.videos")
                .dead_letter_to("mediaflow.dlx")
                .delivery_limit(3),
        )
        .queue(QueueSpec::durable("dead-letters"))
        .bind("recommendations.videos", EXCHANGE, "video.published")
        .bind("analytics.videos", EXCHANGE, "video.#")
        .bind("dead-letters", "mediaflow.dlx", "")
}

struct Platform {
    infra: Infra,
    chaos: Arc<ChaosBus>,
    catalog: Arc<dyn SqlStore>,
    relay: OutboxRelay,
}

async fn platform() -> Platform {
    let (_clock, shared) = manual_clock();
    let base = Infra::embedded_with_clock(shared, 11);
    let chaos = Arc::new(ChaosBus::new(base.bus.clone(), 5));
    let infra = base.with_bus(chaos.clone());
    topology()
        .declare(infra.bus.as_ref())
        .await
        .expect("topology declares");
    let catalog = infra.database("catalog");
    migrate(catalog.as_ref(), Outbox::migrations())
        .await
        .expect("outbox tables");
    catalog
        .execute_batch(
            "CREATE TABLE videos (id TEXT PRIMARY KEY, title TEXT NOT NULL, status TEXT NOT NULL)",
        )
        .await
        .expect("videos table");
    let relay = OutboxRelay::new(catalog.clone(), infra.bus.clone(), infra.clock.clone(), 100);
    Platform {
        infra,
        chaos,
        catalog,
        relay,
    }
}

fn envelope(infra: &Infra, event_type: &str, aggregate: &str, sequence: u64) -> EventEnvelope {
    EventEnvelope {
        id: EventId(infra.ids.uuid()),
        event_type: event_type.to_owned(),
        aggregate_id: aggregate.to_owned(),
        sequence,
        occurred_at: infra.clock.now(),
        schema_version: 1,
        correlation_id: format!("req-{aggregate}"),
        causation_id: None,
        payload: serde_json::json!({ "video_id": aggregate }),
    }
}

/// Catalog publishes a video: the row and its event commit together.
async fn publish_video(p: &Platform, id: &str, commit: bool) {
    let mut tx = p.catalog.begin().await.expect("begin");
    tx.execute(
        "INSERT INTO videos (id, title, status) VALUES ($1, $2, 'published')",
        &params![id, "Match of the day"],
    )
    .await
    .expect("insert video");
    Outbox::enqueue(
        tx.as_mut(),
        EXCHANGE,
        "video.published",
        &envelope(&p.infra, "VideoPublished", id, 1),
    )
    .await
    .expect("enqueue");
    if commit {
        tx.commit().await.expect("commit");
    } else {
        tx.rollback().await.expect("rollback");
    }
}

/// A consumer service that records each event once in its own database.
async fn drain_into(infra: &Infra, consumer: &mut Box<dyn Consumer>, service: &str) -> usize {
    let db = infra.database(service);
    migrate(db.as_ref(), ProcessedEvents::migrations())
        .await
        .expect("processed table");
    db.execute_batch("CREATE TABLE IF NOT EXISTS seen (video_id TEXT NOT NULL)")
        .await
        .expect("read model");
    let mut deliveries = 0;
    while let Some(delivery) = consumer.try_next() {
        deliveries += 1;
        let event = EventEnvelope::from_delivery(&delivery).expect("valid envelope");
        let mut tx = db.begin().await.expect("begin");
        if ProcessedEvents::record_if_new(tx.as_mut(), service, event.id, infra.clock.now())
            .await
            .expect("dedupe")
        {
            tx.execute(
                "INSERT INTO seen (video_id) VALUES ($1)",
                &params![event.aggregate_id.as_str()],
            )
            .await
            .expect("apply");
        }
        tx.commit().await.expect("commit");
        delivery.ack().await.expect("ack");
    }
    deliveries
}

async fn seen(infra: &Infra, service: &str) -> usize {
    infra
        .database(service)
        .query("SELECT video_id FROM seen", &[])
        .await
        .expect("read model")
        .len()
}

#[tokio::test]
async fn a_committed_change_reaches_every_bound_consumer_exactly_once_despite_duplicates() {
    let p = platform().await;
    publish_video(&p, "v1", true).await;
    p.chaos.inject(BusFault::DuplicateNext(1));
    let outcome = p.relay.run_once().await.expect("relay");
    assert_eq!(
        (outcome.published, outcome.unroutable, outcome.failed),
        (1, 0, 0),
        "the relay must publish the one pending event"
    );

    let mut recs = p
        .infra
        .bus
        .consume("recommendations.videos", ConsumeOptions::new("recs", 10))
        .await
        .expect("consume");
    let mut analytics = p
        .infra
        .bus
        .consume("analytics.videos", ConsumeOptions::new("analytics", 10))
        .await
        .expect("consume");
    assert_eq!(
        drain_into(&p.infra, &mut recs, "recommendations").await,
        2,
        "the duplicated publish arrives twice"
    );
    assert_eq!(
        drain_into(&p.infra, &mut analytics, "analytics").await,
        2,
        "`video.#` matches `video.published` too"
    );
    assert_eq!(
        seen(&p.infra, "recommendations").await,
        1,
        "recommendations must apply the event once"
    );
    assert_eq!(
        seen(&p.infra, "analytics").await,
        1,
        "analytics must apply the event once"
    );
    assert_eq!(
        p.relay.pending_count().await.expect("pending"),
        0,
        "nothing left in the outbox"
    );
}

#[tokio::test]
async fn a_rolled_back_change_publishes_nothing() {
    let p = platform().await;
    publish_video(&p, "v1", false).await;
    let outcome = p.relay.run_once().await.expect("relay");
    assert_eq!(
        outcome.published, 0,
        "an event whose transaction rolled back must never leave the service"
    );
    let stats = p
        .infra
        .bus
        .queue_stats("analytics.videos")
        .await
        .expect("stats");
    assert_eq!(stats.ready, 0);
}

#[tokio::test]
async fn a_bus_outage_delays_events_without_losing_or_reordering_them() {
    let p = platform().await;
    for id in ["v1", "v2", "v3"] {
        publish_video(&p, id, true).await;
    }
    p.chaos.inject(BusFault::FailNext(1));
    let first = p.relay.run_once().await.expect("relay");
    assert_eq!(
        (first.published, first.failed),
        (0, 1),
        "the first publish fails and the pass stops to keep order"
    );
    let second = p.relay.run_once().await.expect("relay");
    assert_eq!(second.published, 3, "the next pass publishes everything");
    let mut analytics = p
        .infra
        .bus
        .consume("analytics.videos", ConsumeOptions::new("a", 10))
        .await
        .expect("consume");
    let mut order = Vec::new();
    while let Some(d) = analytics.try_next() {
        order.push(
            EventEnvelope::from_delivery(&d)
                .expect("envelope")
                .aggregate_id,
        );
        d.ack().await.expect("ack");
    }
    assert_eq!(
        order,
        vec!["v1", "v2", "v3"],
        "events must arrive in commit order"
    );
}

#[tokio::test]
async fn a_poison_message_is_dead_lettered_after_three_deliveries_and_the_queue_keeps_flowing() {
    let p = platform().await;
    publish_video(&p, "poison", true).await;
    publish_video(&p, "fine", true).await;
    p.relay.run_once().await.expect("relay");
    let mut recs = p
        .infra
        .bus
        .consume("recommendations.videos", ConsumeOptions::new("recs", 1))
        .await
        .expect("consume");
    let mut processed = Vec::new();
    for _ in 0..10 {
        let Some(d) = recs.try_next() else { break };
        let event = EventEnvelope::from_delivery(&d).expect("envelope");
        if event.aggregate_id == "poison" {
            d.nack(true).await.expect("nack");
        } else {
            processed.push(event.aggregate_id);
            d.ack().await.expect("ack");
        }
    }
    assert_eq!(
        processed,
        vec!["fine"],
        "the healthy event must still be processed"
    );
    let mut dead = p
        .infra
        .bus
        .consume("dead-letters", ConsumeOptions::new("ops", 0))
        .await
        .expect("consume");
    let letter = dead
        .try_next()
        .expect("the poison message must reach the dead-letter queue");
    let event = EventEnvelope::from_delivery(&letter).expect("envelope");
    assert_eq!(event.aggregate_id, "poison");
    assert_eq!(
        letter
            .message
            .headers
            .get("x-death-reason")
            .map(String::as_str),
        Some("delivery_limit")
    );
}

#[tokio::test]
async fn an_event_sourced_stream_projects_in_order_from_reordered_deliveries() {
    let p = platform().await;
    let store = SqlEventStore::new(p.catalog.clone(), p.infra.clock.clone());
    migrate(p.catalog.as_ref(), SqlEventStore::migrations())
        .await
        .expect("event store tables");
    let events = [
        "VideoDrafted",
        "VideoProcessing",
        "VideoReady",
        "VideoPublished",
    ]
    .iter()
    .map(|t| {
        NewEvent::new(EventId(p.infra.ids.uuid()), *t, serde_json::json!({})).correlated("req-1")
    })
    .collect();
    let version = store
        .append("video-7", ExpectedVersion::NoStream, events)
        .await
        .expect("append");
    assert_eq!(version, 4);

    p.chaos.inject(BusFault::ReorderWindow(4));
    let stream = store.read("video-7", 1).await.expect("read");
    let mut tx = p.catalog.begin().await.expect("begin");
    for stored in stream {
        Outbox::enqueue(tx.as_mut(), EXCHANGE, "video.lifecycle", &stored)
            .await
            .expect("enqueue");
    }
    tx.commit().await.expect("commit");
    p.relay.run_once().await.expect("relay");

    let mut analytics = p
        .infra
        .bus
        .consume("analytics.videos", ConsumeOptions::new("a", 10))
        .await
        .expect("consume");
    let mut projection = OrderedProjection::new(16);
    let mut arrived = Vec::new();
    let mut applied = Vec::new();
    while let Some(d) = analytics.try_next() {
        let event = EventEnvelope::from_delivery(&d).expect("envelope");
        arrived.push(event.sequence);
        if let Offer::Ready(ready) = projection.offer(event).expect("within buffer") {
            applied.extend(ready.into_iter().map(|e| e.event_type));
        }
        d.ack().await.expect("ack");
    }
    assert_eq!(
        arrived,
        vec![4, 3, 2, 1],
        "the chaos bus reversed the four publishes"
    );
    assert_eq!(
        applied,
        vec![
            "VideoDrafted",
            "VideoProcessing",
            "VideoReady",
            "VideoPublished"
        ],
        "the projection must apply in stream order"
    );
    assert!(
        projection.gaps().is_empty(),
        "no gap remains once every event arrived"
    );
}

#[tokio::test]
async fn a_crashed_instance_drops_out_of_discovery_and_traffic_moves_to_the_live_one() {
    let (clock, shared) = manual_clock();
    let infra = Infra::embedded_with_clock(shared, 2);
    let ttl = Duration::from_secs(15);
    let live = Heartbeat::new(
        infra.registry.clone(),
        ServiceInstance::new("catalog-a", "catalog", "127.0.0.1:40001"),
        ttl,
    );
    let crashed = Heartbeat::new(
        infra.registry.clone(),
        ServiceInstance::new("catalog-b", "catalog", "127.0.0.1:40002"),
        ttl,
    );
    assert_eq!(
        live.run_once().await,
        HeartbeatOutcome::Reregistered,
        "the first beat registers"
    );
    assert_eq!(crashed.run_once().await, HeartbeatOutcome::Reregistered);
    let client = RoundRobin::new(infra.registry.clone(), "catalog");
    let mut picks = Vec::new();
    for _ in 0..4 {
        picks.push(client.next().await.expect("healthy instance").id);
    }
    assert_eq!(
        picks,
        vec!["catalog-a", "catalog-b", "catalog-a", "catalog-b"],
        "round robin over both instances"
    );

    for _ in 0..3 {
        clock.advance(Duration::from_secs(5));
        assert_eq!(live.run_once().await, HeartbeatOutcome::Renewed);
    }
    for _ in 0..4 {
        assert_eq!(
            client.next().await.expect("the live instance").id,
            "catalog-a",
            "only the instance that kept beating may get traffic"
        );
    }
}
