//! Broker work counted through `metrics()`: fanout copies, topic matches across many
//! keys, and requeues that never duplicate a message.

use std::collections::BTreeMap;

use mediaflow_shared::events::{
    BrokerMetrics, ConsumeOptions, EventBus, ExchangeKind, ExchangeSpec, InMemoryBroker, Message,
    QueueSpec,
};

fn msg(id: &str) -> Message {
    Message::json(id, b"{}".to_vec())
}

async fn declare(
    broker: &InMemoryBroker,
    exchange: &str,
    kind: ExchangeKind,
    queues: &[(&str, &str)],
) {
    let spec = ExchangeSpec::durable(exchange, kind);
    broker.declare_exchange(&spec).await.expect("exchange");
    for (queue, key) in queues {
        broker
            .declare_queue(&QueueSpec::durable(*queue))
            .await
            .expect("queue");
        broker.bind_queue(queue, exchange, key).await.expect("bind");
    }
}

/// Consumes and acks everything ready on `queue`; returns how many arrived.
async fn drain(broker: &InMemoryBroker, queue: &str) -> usize {
    let options = ConsumeOptions::new("drain", 0);
    let mut consumer = broker.consume(queue, options).await.expect("consume");
    let mut count = 0;
    while let Some(delivery) = consumer.try_next() {
        delivery.ack().await.expect("ack");
        count += 1;
    }
    count
}

#[tokio::test]
async fn fanout_to_n_queues_makes_exactly_n_deliveries() {
    const QUEUES: usize = 25;
    let names: Vec<String> = (0..QUEUES).map(|i| format!("replica-{i}")).collect();
    let bindings: Vec<(&str, &str)> = names.iter().map(|name| (name.as_str(), "")).collect();
    let broker = InMemoryBroker::new();
    declare(&broker, "purge", ExchangeKind::Fanout, &bindings).await;
    let outcome = broker
        .publish("purge", "", msg("purge-1"))
        .await
        .expect("publish");
    assert_eq!(
        outcome.routed, QUEUES,
        "one fanout publish must reach every bound queue"
    );
    let mut delivered = 0;
    for name in &names {
        delivered += drain(&broker, name).await;
    }
    assert_eq!(
        delivered, QUEUES,
        "each queue must receive exactly one copy"
    );
    let metrics = broker.metrics();
    assert_eq!(
        (
            metrics.published,
            metrics.routed,
            metrics.delivered,
            metrics.acked
        ),
        (1, 25, 25, 25),
        "one publish, 25 copies, 25 deliveries, 25 acks and no more"
    );
}

#[tokio::test]
async fn topic_publish_to_a_thousand_keys_routes_exactly_the_matching_ones() {
    let broker = InMemoryBroker::new();
    declare(
        &broker,
        "video-events",
        ExchangeKind::Topic,
        &[("region-three", "region.3.#"), ("uploads", "#.uploaded")],
    )
    .await;
    let mut expected: BTreeMap<&str, u64> = BTreeMap::new();
    for i in 0..1000_u32 {
        let action = if i % 4 == 0 { "uploaded" } else { "viewed" };
        let key = format!("region.{}.video{i}.{action}", i % 10);
        if i % 10 == 3 {
            *expected.entry("region-three").or_default() += 1;
        }
        if action == "uploaded" {
            *expected.entry("uploads").or_default() += 1;
        }
        broker
            .publish("video-events", &key, msg(&key))
            .await
            .expect("publish");
    }
    let region_three = drain(&broker, "region-three").await;
    let uploads = drain(&broker, "uploads").await;
    assert_eq!(
        region_three, 100,
        "keys region.3.* are one in ten of a thousand"
    );
    assert_eq!(uploads, 250, "uploaded keys are one in four of a thousand");
    let matched = expected.values().sum::<u64>();
    let metrics = broker.metrics();
    assert_eq!(
        metrics.routed, matched,
        "routed copies must equal the matching keys"
    );
    assert_eq!(
        metrics.unroutable,
        1000 - matched,
        "every other key is unroutable"
    );
}

#[tokio::test]
async fn requeue_redelivers_without_duplicating() {
    let broker = InMemoryBroker::new();
    declare(&broker, "jobs", ExchangeKind::Direct, &[("work", "job")]).await;
    for i in 0..10 {
        broker
            .publish("jobs", "job", msg(&format!("job-{i}")))
            .await
            .expect("publish");
    }
    let mut consumer = broker
        .consume("work", ConsumeOptions::new("worker", 1))
        .await
        .expect("consume");
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    while let Some(delivery) = consumer.try_next() {
        let id = delivery.message.message_id.clone().unwrap_or_default();
        *seen.entry(id).or_default() += 1;
        if delivery.redelivered {
            delivery.ack().await.expect("ack");
        } else {
            delivery.nack(true).await.expect("requeue");
        }
    }
    assert_eq!(seen.len(), 10, "every job must be seen");
    assert!(
        seen.values().all(|&n| n == 2),
        "each job is delivered exactly twice: {seen:?}"
    );
    let metrics = broker.metrics();
    let expected = BrokerMetrics {
        published: 10,
        routed: 10,
        unroutable: 0,
        delivered: 20,
        acked: 10,
        requeued: 10,
        dead_lettered: 0,
        dropped: 0,
    };
    assert_eq!(
        metrics, expected,
        "a requeue is one redelivery, never an extra copy"
    );
    let stats = broker.queue_stats("work").await.expect("stats");
    assert_eq!(
        (stats.ready, stats.unacked),
        (0, 0),
        "nothing may be left over"
    );
}

#[tokio::test]
async fn prefetch_bounds_the_deliveries_made_before_any_ack() {
    let broker = InMemoryBroker::new();
    declare(&broker, "jobs", ExchangeKind::Direct, &[("work", "job")]).await;
    for i in 0..100 {
        broker
            .publish("jobs", "job", msg(&format!("job-{i}")))
            .await
            .expect("publish");
    }
    let _consumer = broker
        .consume("work", ConsumeOptions::new("worker", 5))
        .await
        .expect("consume");
    assert_eq!(
        broker.metrics().delivered,
        5,
        "prefetch 5 allows five deliveries, not 100"
    );
}

#[tokio::test]
async fn overlapping_bindings_cost_one_copy_per_queue() {
    let broker = InMemoryBroker::new();
    let bindings = [
        ("all", "#"),
        ("all", "video.*"),
        ("all", "video.uploaded"),
        ("other", "#"),
    ];
    declare(&broker, "video-events", ExchangeKind::Topic, &bindings).await;
    for i in 0..50 {
        broker
            .publish("video-events", "video.uploaded", msg(&format!("v{i}")))
            .await
            .expect("publish");
    }
    let metrics = broker.metrics();
    assert_eq!(
        metrics.routed, 100,
        "50 publishes to two queues make 100 copies, not 200"
    );
    assert_eq!(
        drain(&broker, "all").await,
        50,
        "three matching bindings still give one copy each"
    );
}
