//! What an event looks like on the bus: message id, content type and headers, as
//! consumers in every service read them from a delivery.

use mediaflow_shared::events::{
    ConsumeOptions, DEATH_REASON_HEADER, Delivery, EventBus, EventEnvelope, EventId, ExchangeKind,
    ExchangeSpec, InMemoryBroker, QueueSpec,
};
use mediaflow_shared::ids::IdGenerator;
use mediaflow_tests::support::manual_clock;
use serde_json::json;

fn envelope() -> EventEnvelope {
    let (_clock, shared) = manual_clock();
    EventEnvelope {
        id: EventId(IdGenerator::seeded(5).uuid()),
        event_type: "TranscodeCompleted".to_owned(),
        aggregate_id: "video-3".to_owned(),
        sequence: 4,
        occurred_at: shared.now(),
        schema_version: 1,
        correlation_id: "req-77".to_owned(),
        causation_id: None,
        payload: json!({ "renditions": ["1080p", "720p"] }),
    }
}

/// Publishes `envelope` through a topic exchange and returns its delivery.
async fn deliver(envelope: &EventEnvelope, reject_to_dlx: bool) -> Delivery {
    let broker = InMemoryBroker::new();
    let topic = ExchangeSpec::durable("video-events", ExchangeKind::Topic);
    broker.declare_exchange(&topic).await.expect("exchange");
    let dlx = ExchangeSpec::durable("dlx", ExchangeKind::Fanout);
    broker.declare_exchange(&dlx).await.expect("dlx");
    let work = QueueSpec::durable("catalog.videos").dead_letter_to("dlx");
    broker.declare_queue(&work).await.expect("queue");
    broker
        .declare_queue(&QueueSpec::durable("parked"))
        .await
        .expect("parked");
    broker
        .bind_queue("catalog.videos", "video-events", "video.#")
        .await
        .expect("bind");
    broker
        .bind_queue("parked", "dlx", "")
        .await
        .expect("bind dlx");
    let message = envelope
        .to_message()
        .with_header("traceparent", "00-abc-def-01");
    let outcome = broker
        .publish("video-events", "video.transcoded", message)
        .await;
    assert_eq!(
        outcome.map(|o| o.routed),
        Ok(1),
        "the event must reach its queue"
    );
    let mut consumer = broker
        .consume("catalog.videos", ConsumeOptions::new("catalog", 0))
        .await
        .expect("consume");
    let delivery = consumer.try_next().expect("the event is delivered");
    if !reject_to_dlx {
        return delivery;
    }
    delivery.reject(false).await.expect("reject");
    let mut parked = broker
        .consume("parked", ConsumeOptions::new("ops", 0))
        .await
        .expect("consume parked");
    parked.try_next().expect("the rejected event is parked")
}

#[tokio::test]
async fn delivered_message_id_is_the_event_id() {
    let original = envelope();
    let delivery = deliver(&original, false).await;
    assert_eq!(
        delivery.message.message_id,
        Some(original.id.to_string()),
        "consumers deduplicate on message_id, so it must be the event id"
    );
    let parsed = EventEnvelope::from_delivery(&delivery).expect("the body is the envelope");
    assert_eq!(
        parsed, original,
        "the delivered body must be the published envelope"
    );
}

#[tokio::test]
async fn delivered_message_carries_content_type_and_headers() {
    let delivery = deliver(&envelope(), false).await;
    let message = &delivery.message;
    assert_eq!(
        message.content_type.as_deref(),
        Some("application/json"),
        "content type"
    );
    let header = |name: &str| message.headers.get(name).map(String::as_str);
    assert_eq!(
        header("event-type"),
        Some("TranscodeCompleted"),
        "event-type header"
    );
    assert_eq!(
        header("correlation-id"),
        Some("req-77"),
        "correlation-id header"
    );
    assert_eq!(
        header("traceparent"),
        Some("00-abc-def-01"),
        "producer headers are carried"
    );
    assert_eq!(
        delivery.routing_key, "video.transcoded",
        "the routing key is reported"
    );
}

#[tokio::test]
async fn dead_lettered_event_keeps_its_identity_and_properties() {
    let original = envelope();
    let parked = deliver(&original, true).await;
    let message = &parked.message;
    assert_eq!(
        message.message_id,
        Some(original.id.to_string()),
        "message_id is kept"
    );
    assert_eq!(
        message.content_type.as_deref(),
        Some("application/json"),
        "content type kept"
    );
    let header = |name: &str| message.headers.get(name).map(String::as_str);
    assert_eq!(
        header("event-type"),
        Some("TranscodeCompleted"),
        "event-type is kept"
    );
    assert_eq!(
        header(DEATH_REASON_HEADER),
        Some("rejected"),
        "the death reason is added"
    );
    let parsed = EventEnvelope::from_delivery(&parked).expect("the body is unchanged");
    assert_eq!(
        parsed, original,
        "a parked event can be replayed as it was published"
    );
}
