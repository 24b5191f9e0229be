//! Conformance of the message lifecycle: ack, nack with requeue (redelivered, with
//! a delivery count), reject to a dead-letter exchange, the delivery limit,
//! prefetch, a consumer going away, two consumers on one queue, what a delivery
//! carries, and the counts of a queue.

use mediaflow_shared::events::{
    DEATH_COUNT_HEADER, DEATH_EXCHANGE_HEADER, DEATH_QUEUE_HEADER, DEATH_REASON_HEADER, Delivery,
    ExchangeKind, Message, QueueSpec,
};

use super::{Backend, counts, id_of, next};

fn header<'a>(delivery: &'a Delivery, name: &str) -> Option<&'a str> {
    delivery.message.headers.get(name).map(String::as_str)
}

/// A work queue fed by a direct exchange, dead-lettering to a fanout exchange
/// whose one queue collects the dead letters: `(exchange, work queue, dead letters)`.
async fn work_with_dead_letters(b: &Backend, limit: Option<u32>) -> (String, String, String) {
    let exchange = b.exchange("jobs", ExchangeKind::Direct).await;
    let dlx = b.exchange("dlx", ExchangeKind::Fanout).await;
    let mut spec = QueueSpec::durable("work").dead_letter_to("dlx");
    spec.delivery_limit = limit;
    let work = b.queue(spec).await;
    let dead = b.queue(QueueSpec::durable("dead")).await;
    b.bind(&work, &exchange, "job").await;
    b.bind(&dead, &dlx, "").await;
    (exchange, work, dead)
}

pub(super) async fn an_acked_message_is_gone_for_good(b: &Backend) {
    let queue = b.queue(QueueSpec::durable("q")).await;
    assert!(b.publish("", &queue, "m1").await > 0);
    let mut consumer = b.consume(&queue, 1).await;
    let delivery = next(&mut consumer).await;
    assert_eq!(
        (
            id_of(&delivery).as_str(),
            delivery.redelivered,
            delivery.delivery_count
        ),
        ("m1", false, 1),
        "a first delivery"
    );
    delivery.ack().await.expect("ack");
    b.stats_become(&queue, counts(0, 0, 1), "acked: nothing left")
        .await;
    drop(consumer);
    let mut again = b.consume(&queue, 1).await;
    b.nothing_more(&mut again, "an acked message never comes back")
        .await;
}

pub(super) async fn a_nacked_message_comes_back_marked_redelivered_and_counted(b: &Backend) {
    let queue = b.queue(QueueSpec::durable("q")).await;
    for id in ["m1", "m2"] {
        assert!(b.publish("", &queue, id).await > 0);
    }
    let mut consumer = b.consume(&queue, 1).await;
    let first = next(&mut consumer).await;
    assert_eq!(id_of(&first), "m1");
    first.nack(true).await.expect("nack with requeue");
    // Where the requeued message goes differs: the embedded broker puts it back at
    // the front (as a classic queue does), a RabbitMQ 3.x quorum queue at the back.
    let mut got = Vec::new();
    for _ in 0..2 {
        let delivery = next(&mut consumer).await;
        got.push((
            id_of(&delivery),
            delivery.redelivered,
            delivery.delivery_count,
        ));
        delivery.ack().await.expect("ack");
    }
    got.sort();
    assert_eq!(
        got,
        [("m1".into(), true, 2), ("m2".into(), false, 1)],
        "the requeued message comes back once, marked redelivered and counted"
    );
    b.nothing_more(&mut consumer, "each message acked once")
        .await;
}

pub(super) async fn a_rejected_message_is_dead_lettered_with_its_death_headers(b: &Backend) {
    let (exchange, work, dead) = work_with_dead_letters(b, None).await;
    let message = Message::json("m1", b"{}".to_vec()).with_header("trace", "t-1");
    let routed = b
        .bus
        .publish(&exchange, "job", message)
        .await
        .expect("publish");
    assert!(routed.routed > 0);
    let mut consumer = b.consume(&work, 1).await;
    next(&mut consumer)
        .await
        .reject(false)
        .await
        .expect("reject without requeue");
    let mut dead_letters = b.consume(&dead, 1).await;
    let letter = next(&mut dead_letters).await;
    assert_eq!(id_of(&letter), "m1");
    assert_eq!(header(&letter, DEATH_REASON_HEADER), Some("rejected"));
    assert_eq!(header(&letter, DEATH_QUEUE_HEADER), Some(work.as_str()));
    assert_eq!(
        header(&letter, DEATH_EXCHANGE_HEADER),
        Some(exchange.as_str())
    );
    assert_eq!(header(&letter, DEATH_COUNT_HEADER), Some("1"));
    assert_eq!(
        header(&letter, "trace"),
        Some("t-1"),
        "own headers are kept"
    );
    assert_eq!(letter.routing_key, "job", "the original routing key");
    assert_eq!(
        letter.delivery_count, 1,
        "a first delivery in the dead-letter queue"
    );
    letter.ack().await.expect("ack");
    b.nothing_more(&mut consumer, "a rejected message is not requeued")
        .await;
}

pub(super) async fn a_message_at_its_delivery_limit_is_dead_lettered(b: &Backend) {
    let (exchange, work, dead) = work_with_dead_letters(b, Some(3)).await;
    assert!(b.publish(&exchange, "job", "m1").await > 0);
    let mut consumer = b.consume(&work, 1).await;
    for attempt in 1..=3 {
        let delivery = next(&mut consumer).await;
        assert_eq!(
            (delivery.redelivered, delivery.delivery_count),
            (attempt > 1, attempt),
            "delivery {attempt}"
        );
        delivery.nack(true).await.expect("nack with requeue");
    }
    b.nothing_more(&mut consumer, "three deliveries are the limit")
        .await;
    let mut dead_letters = b.consume(&dead, 1).await;
    let letter = next(&mut dead_letters).await;
    assert_eq!(id_of(&letter), "m1");
    assert_eq!(header(&letter, DEATH_REASON_HEADER), Some("delivery_limit"));
    assert_eq!(header(&letter, DEATH_QUEUE_HEADER), Some(work.as_str()));
    letter.ack().await.expect("ack");
}

pub(super) async fn prefetch_limits_the_unacked_deliveries_of_a_consumer(b: &Backend) {
    let queue = b.queue(QueueSpec::durable("q")).await;
    for id in ["m1", "m2", "m3", "m4"] {
        assert!(b.publish("", &queue, id).await > 0);
    }
    let mut consumer = b.consume(&queue, 2).await;
    let first = next(&mut consumer).await;
    let second = next(&mut consumer).await;
    assert_eq!((id_of(&first), id_of(&second)), ("m1".into(), "m2".into()));
    b.nothing_more(
        &mut consumer,
        "a prefetch of 2 holds two unacked deliveries",
    )
    .await;
    first.ack().await.expect("ack");
    let third = next(&mut consumer).await;
    assert_eq!(id_of(&third), "m3", "an ack frees one slot");
    b.nothing_more(&mut consumer, "one slot freed, one more delivery")
        .await;
    for delivery in [second, third] {
        delivery.ack().await.expect("ack");
    }
    assert_eq!(id_of(&next(&mut consumer).await), "m4");
}

pub(super) async fn dropping_a_consumer_requeues_what_it_held(b: &Backend) {
    let queue = b.queue(QueueSpec::durable("q")).await;
    for id in ["m1", "m2", "m3"] {
        assert!(b.publish("", &queue, id).await > 0);
    }
    let mut crashing = b.consume(&queue, 2).await;
    let held = [next(&mut crashing).await, next(&mut crashing).await];
    assert_eq!(held.each_ref().map(id_of), ["m1", "m2"]);
    drop(crashing);
    let mut successor = b.consume(&queue, 0).await;
    let mut got = Vec::new();
    for _ in 0..3 {
        let delivery = next(&mut successor).await;
        got.push((id_of(&delivery), delivery.redelivered));
        delivery.ack().await.expect("ack");
    }
    got.sort();
    assert_eq!(
        got,
        [
            ("m1".into(), true),
            ("m2".into(), true),
            ("m3".into(), false)
        ],
        "what the dropped consumer held comes back, marked redelivered"
    );
    for delivery in held {
        assert!(
            delivery.ack().await.is_err(),
            "a delivery of a dropped consumer can no longer be settled"
        );
    }
}

pub(super) async fn two_consumers_of_one_queue_share_its_messages(b: &Backend) {
    let queue = b.queue(QueueSpec::durable("q")).await;
    let mut one = b.consume(&queue, 1).await;
    let mut two = b.consume(&queue, 1).await;
    b.stats_become(&queue, counts(0, 0, 2), "two consumers attached")
        .await;
    for id in ["m1", "m2", "m3", "m4"] {
        assert!(b.publish("", &queue, id).await > 0);
    }
    let (a, c) = (next(&mut one).await, next(&mut two).await);
    assert_ne!(id_of(&a), id_of(&c), "each message goes to one consumer");
    b.nothing_more(&mut one, "prefetch 1 each").await;
    let (b1, b2) = (
        next_after_ack(&mut one, a).await,
        next_after_ack(&mut two, c).await,
    );
    let mut all = [id_of(&b1), id_of(&b2)].to_vec();
    b1.ack().await.expect("ack");
    b2.ack().await.expect("ack");
    all.sort();
    assert!(all.iter().all(|id| id == "m3" || id == "m4"), "{all:?}");
    assert_ne!(all[0], all[1]);
}

async fn next_after_ack(
    consumer: &mut Box<dyn mediaflow_shared::events::Consumer>,
    delivery: Delivery,
) -> Delivery {
    delivery.ack().await.expect("ack");
    next(consumer).await
}

pub(super) async fn headers_message_id_and_content_type_arrive_as_published(b: &Backend) {
    let exchange = b.exchange("events", ExchangeKind::Topic).await;
    let queue = b.queue(QueueSpec::durable("q")).await;
    b.bind(&queue, &exchange, "video.#").await;
    let message = Message {
        body: vec![0, 1, 2, 255, b'{'],
        ..Message::json("evt-42", Vec::new())
    }
    .with_header("correlation-id", "c-7")
    .with_header("x-schema-version", "2")
    .with_header("empty", "");
    let routed = b
        .bus
        .publish(&exchange, "video.uploaded", message.clone())
        .await
        .expect("publish");
    assert!(routed.routed > 0);
    let mut consumer = b.consume(&queue, 1).await;
    let delivery = next(&mut consumer).await;
    assert_eq!(
        delivery.message, message,
        "body, headers, id and content type"
    );
    assert_eq!(delivery.exchange, exchange);
    assert_eq!(delivery.routing_key, "video.uploaded");
    delivery.ack().await.expect("ack");

    let bare = Message {
        body: b"plain".to_vec(),
        ..Message::default()
    };
    b.bus
        .publish("", &queue, bare.clone())
        .await
        .expect("publish");
    let delivery = next(&mut consumer).await;
    assert_eq!(delivery.message, bare, "no id, no content type, no headers");
    assert_eq!(delivery.exchange, "", "the default exchange");
    delivery.ack().await.expect("ack");
}

pub(super) async fn queue_stats_count_ready_messages_held_deliveries_and_consumers(b: &Backend) {
    let queue = b.queue(QueueSpec::durable("q")).await;
    b.stats_become(&queue, counts(0, 0, 0), "empty").await;
    for id in ["m1", "m2", "m3"] {
        assert!(b.publish("", &queue, id).await > 0);
    }
    b.stats_become(&queue, counts(3, 0, 0), "three ready").await;
    let mut consumer = b.consume(&queue, 1).await;
    let delivery = next(&mut consumer).await;
    b.stats_become(&queue, counts(2, 1, 1), "one held by the consumer")
        .await;
    delivery.ack().await.expect("ack");
    let delivery = next(&mut consumer).await;
    delivery.nack(true).await.expect("requeue");
    drop(consumer);
    b.stats_become(&queue, counts(2, 0, 0), "consumer gone, nothing held")
        .await;
}
