//! The embedded broker against RabbitMQ's semantics: routing, requeue, dead-lettering,
//! prefetch, round-robin, consumer loss, settlement errors and concurrency.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use mediaflow_shared::events::{
    BusError, ConsumeOptions, Consumer, DEATH_COUNT_HEADER, DEATH_EXCHANGE_HEADER,
    DEATH_QUEUE_HEADER, DEATH_REASON_HEADER, Delivery, EventBus, ExchangeKind, ExchangeSpec,
    InMemoryBroker, Message, QueueSpec, QueueStats,
};

fn msg(id: &str) -> Message {
    Message::json(id, format!("{{\"id\":\"{id}\"}}").into_bytes())
}

fn id_of(delivery: &Delivery) -> String {
    delivery.message.message_id.clone().unwrap_or_default()
}

fn header<'a>(delivery: &'a Delivery, name: &str) -> Option<&'a str> {
    delivery.message.headers.get(name).map(String::as_str)
}

/// `(message id, redelivered, delivery count)` of a delivery.
fn summary(delivery: &Delivery) -> (&str, bool, u32) {
    let id = delivery.message.message_id.as_deref().unwrap_or_default();
    (id, delivery.redelivered, delivery.delivery_count)
}

async fn exchange(broker: &InMemoryBroker, name: &str, kind: ExchangeKind) {
    let spec = ExchangeSpec::durable(name, kind);
    let declared = broker.declare_exchange(&spec).await;
    declared.expect("declaring a fresh exchange succeeds");
}

async fn queue(broker: &InMemoryBroker, spec: QueueSpec) {
    let declared = broker.declare_queue(&spec);
    declared.await.expect("declaring a fresh queue succeeds");
}

async fn bind(broker: &InMemoryBroker, queue: &str, exchange: &str, key: &str) {
    let bound = broker.bind_queue(queue, exchange, key);
    bound
        .await
        .expect("binding declared queue and exchange succeeds");
}

async fn publish(broker: &InMemoryBroker, exchange: &str, key: &str, id: &str) -> usize {
    let outcome = broker.publish(exchange, key, msg(id)).await;
    outcome
        .expect("publishing to a declared exchange succeeds")
        .routed
}

async fn consume(broker: &InMemoryBroker, queue: &str, prefetch: u16) -> Box<dyn Consumer> {
    let consumer = broker.consume(queue, ConsumeOptions::new(queue, prefetch));
    consumer.await.expect("consuming a declared queue succeeds")
}

async fn stats(broker: &InMemoryBroker, name: &str) -> QueueStats {
    broker.queue_stats(name).await.expect("queue is declared")
}

/// Expected queue counts: ready, unacked, consumers.
fn counts(ready: usize, unacked: usize, consumers: usize) -> QueueStats {
    QueueStats {
        ready,
        unacked,
        consumers,
    }
}

/// Ids of every delivery available right now, left unsettled.
fn drain(consumer: &mut Box<dyn Consumer>) -> Vec<String> {
    std::iter::from_fn(|| consumer.try_next())
        .map(|delivery| id_of(&delivery))
        .collect()
}

const ROUTING_QUEUES: [(&str, &str, &str); 14] = [
    ("direct_a", "dx", "encode"),
    ("direct_b", "dx", "encode"),
    ("direct_b", "dx", "publish"),
    ("star", "tx", "video.*"),
    ("one_word", "tx", "*"),
    ("hash_end", "tx", "video.#"),
    ("hash_start", "tx", "#.completed"),
    ("hash_mid", "tx", "video.#.completed"),
    ("all", "tx", "#"),
    ("exact", "tx", "video.uploaded"),
    ("two_words", "tx", "*.*"),
    ("empty", "tx", ""),
    ("fan_1", "fx", "ignored"),
    ("fan_2", "fx", ""),
];

/// A broker with a direct, a topic and a fanout exchange and the queues above.
async fn routing_broker() -> InMemoryBroker {
    let broker = InMemoryBroker::new();
    exchange(&broker, "dx", ExchangeKind::Direct).await;
    exchange(&broker, "tx", ExchangeKind::Topic).await;
    exchange(&broker, "fx", ExchangeKind::Fanout).await;
    for (name, exchange_name, key) in ROUTING_QUEUES {
        queue(&broker, QueueSpec::durable(name)).await;
        bind(&broker, name, exchange_name, key).await;
    }
    broker
}

#[tokio::test]
async fn routing_table_matches_rabbitmq_for_direct_topic_fanout_and_default_exchanges() {
    // (exchange, routing key, queues reached, space-separated)
    let cases = [
        ("dx", "encode", "direct_a direct_b"),
        ("dx", "publish", "direct_b"),
        ("dx", "Encode", ""),
        ("tx", "video.uploaded", "all exact hash_end star two_words"),
        ("tx", "video", "all hash_end one_word"),
        (
            "tx",
            "video.completed",
            "all hash_end hash_mid hash_start star two_words",
        ),
        (
            "tx",
            "video.transcode.hd.completed",
            "all hash_end hash_mid hash_start",
        ),
        ("tx", "completed", "all hash_start one_word"),
        ("tx", "", "all empty"),
        ("tx", "audio.uploaded", "all two_words"),
        ("tx", "video..completed", "all hash_end hash_mid hash_start"),
        ("tx", "video.", "all hash_end star two_words"),
        ("fx", "anything.at.all", "fan_1 fan_2"),
        ("", "exact", "exact"),
        ("", "no_such_queue", ""),
    ];
    for (exchange_name, key, expected) in cases {
        let broker = routing_broker().await;
        let routed = publish(&broker, exchange_name, key, "m").await;
        let mut reached = BTreeSet::new();
        for (name, _, _) in ROUTING_QUEUES {
            if stats(&broker, name).await.ready > 0 {
                reached.insert(name);
            }
        }
        let expected: BTreeSet<&str> = expected.split_whitespace().collect();
        let what = format!("publishing to `{exchange_name}` with key `{key}`");
        assert_eq!(reached, expected, "{what} reached the wrong queues");
        assert_eq!(routed, expected.len(), "{what}: routed count");
        let unroutable = u64::from(expected.is_empty());
        assert_eq!(
            broker.metrics().unroutable,
            unroutable,
            "{what}: unroutable"
        );
    }
}

#[tokio::test]
async fn requeued_message_returns_to_the_front_marked_redelivered_with_its_count_raised() {
    let broker = InMemoryBroker::new();
    queue(&broker, QueueSpec::durable("work")).await;
    publish(&broker, "", "work", "first").await;
    publish(&broker, "", "work", "second").await;
    let mut consumer = consume(&broker, "work", 1).await;

    let first = consumer.try_next().expect("the first message is delivered");
    assert_eq!(summary(&first), ("first", false, 1), "a fresh delivery");
    first.nack(true).await.expect("nack with requeue");

    // (id, redelivered, delivery count)
    let again = consumer
        .try_next()
        .expect("the requeued message is delivered");
    let expected = ("first", true, 2);
    assert_eq!(
        summary(&again),
        expected,
        "requeued: back first, redelivered, count 2"
    );
    again.ack().await.expect("ack");

    let second = consumer.try_next().expect("the next message follows");
    let expected = ("second", false, 1);
    assert_eq!(
        summary(&second),
        expected,
        "the waiting message is a first delivery"
    );
    assert_eq!(broker.metrics().requeued, 1, "exactly one requeue happened");
}

async fn dead_letter_setup(work: QueueSpec) -> InMemoryBroker {
    let broker = InMemoryBroker::new();
    exchange(&broker, "jobs", ExchangeKind::Topic).await;
    exchange(&broker, "dlx", ExchangeKind::Topic).await;
    let name = work.name.clone();
    queue(&broker, work).await;
    queue(&broker, QueueSpec::durable("dead")).await;
    bind(&broker, &name, "jobs", "job.#").await;
    bind(&broker, "dead", "dlx", "#").await;
    broker
}

#[tokio::test]
async fn rejected_message_is_dead_lettered_with_x_death_headers() {
    let broker = dead_letter_setup(QueueSpec::durable("work").dead_letter_to("dlx")).await;
    let message = msg("job-1").with_header("tenant", "acme");
    let published = broker.publish("jobs", "job.created", message).await;
    published.expect("publish");
    let mut work = consume(&broker, "work", 0).await;
    let delivery = work.try_next().expect("delivered");
    delivery.reject(false).await.expect("reject");

    let mut dead = consume(&broker, "dead", 0).await;
    let parked = dead.try_next().expect("a rejected message reaches the DLQ");
    let expected: BTreeMap<String, String> = [
        ("tenant", "acme"),
        (DEATH_REASON_HEADER, "rejected"),
        (DEATH_QUEUE_HEADER, "work"),
        (DEATH_EXCHANGE_HEADER, "jobs"),
        (DEATH_COUNT_HEADER, "1"),
    ]
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .into();
    assert_eq!(
        parked.message.headers, expected,
        "a dead letter keeps its headers and gains reason, source queue, exchange and count"
    );
    let route = (parked.exchange.as_str(), parked.routing_key.as_str());
    assert_eq!(
        route,
        ("dlx", "job.created"),
        "via the DLX, with the original key"
    );
    assert_eq!(
        summary(&parked),
        ("job-1", false, 1),
        "the DLQ sees a first delivery"
    );
    let left = stats(&broker, "work").await;
    assert_eq!(
        (left.ready, left.unacked),
        (0, 0),
        "the source queue must be empty"
    );
    assert_eq!(
        broker.metrics().dead_lettered,
        1,
        "one message was dead-lettered"
    );
}

#[tokio::test]
async fn message_at_the_delivery_limit_is_dead_lettered_instead_of_requeued() {
    let spec = QueueSpec::durable("work")
        .dead_letter_to("dlx")
        .dead_letter_routing_key("parked")
        .delivery_limit(3);
    let broker = dead_letter_setup(spec).await;
    publish(&broker, "jobs", "job.poison", "poison").await;
    let mut work = consume(&broker, "work", 1).await;
    for attempt in 1..=3 {
        let delivery = work
            .try_next()
            .expect("attempts up to the limit are delivered");
        assert_eq!(
            delivery.delivery_count, attempt,
            "the count follows the attempts"
        );
        delivery.nack(true).await.expect("nack");
    }
    let fourth = work.try_next();
    assert!(
        fourth.is_none(),
        "a fourth delivery would exceed the limit of three"
    );

    let mut dead = consume(&broker, "dead", 0).await;
    let parked = dead
        .try_next()
        .expect("the poison message is dead-lettered");
    let reason = header(&parked, DEATH_REASON_HEADER);
    assert_eq!(
        reason,
        Some("delivery_limit"),
        "the death reason names the limit"
    );
    assert_eq!(
        parked.routing_key, "parked",
        "the queue's DL key replaces the original"
    );
    let metrics = broker.metrics();
    let counts = (metrics.requeued, metrics.dead_lettered);
    assert_eq!(counts, (2, 1), "two requeues, then one dead-lettering");
}

#[tokio::test]
async fn reject_without_a_dead_letter_exchange_drops_the_message() {
    let broker = InMemoryBroker::new();
    queue(&broker, QueueSpec::durable("work")).await;
    publish(&broker, "", "work", "m").await;
    let mut consumer = consume(&broker, "work", 0).await;
    let delivery = consumer.try_next().expect("delivered");
    delivery.nack(false).await.expect("nack");
    let ready = stats(&broker, "work").await.ready;
    assert_eq!(ready, 0, "a rejected message must not come back");
    assert_eq!(broker.metrics().dropped, 1, "the drop must be counted");
}

#[tokio::test]
async fn dead_letter_exchange_that_was_never_declared_drops_the_message_and_counts_it() {
    let broker = InMemoryBroker::new();
    let spec = QueueSpec::durable("work").dead_letter_to("never-declared");
    queue(&broker, spec).await;
    publish(&broker, "", "work", "m").await;
    let mut consumer = consume(&broker, "work", 0).await;
    let delivery = consumer.try_next().expect("delivered");
    delivery.reject(false).await.expect("reject");
    let metrics = broker.metrics();
    let outcome = (metrics.dead_lettered, metrics.dropped);
    assert_eq!(outcome, (0, 1), "a missing DLX loses the message");
}

#[tokio::test]
async fn consumer_with_prefetch_two_gets_a_third_message_only_after_an_ack() {
    let broker = InMemoryBroker::new();
    queue(&broker, QueueSpec::durable("work")).await;
    for id in ["m1", "m2", "m3"] {
        publish(&broker, "", "work", id).await;
    }
    let mut consumer = consume(&broker, "work", 2).await;
    let first = consumer.try_next().expect("first within prefetch");
    let _second = consumer.try_next().expect("second within prefetch");
    let blocked = consumer.try_next();
    assert!(
        blocked.is_none(),
        "a third delivery would exceed prefetch 2"
    );
    let now = stats(&broker, "work").await;
    assert_eq!(now, counts(1, 2, 1), "one waits, two are in flight");
    first.ack().await.expect("ack");
    let third = consumer.try_next().expect("an ack frees a prefetch slot");
    assert_eq!(id_of(&third), "m3", "the freed slot takes the waiting one");
}

#[tokio::test]
async fn two_consumers_on_one_queue_get_deliveries_round_robin() {
    let broker = InMemoryBroker::new();
    queue(&broker, QueueSpec::durable("work")).await;
    let mut a = consume(&broker, "work", 0).await;
    let mut b = consume(&broker, "work", 0).await;
    for id in ["m1", "m2", "m3", "m4"] {
        publish(&broker, "", "work", id).await;
    }
    let (to_a, to_b) = (drain(&mut a), drain(&mut b));
    assert_eq!(
        to_a,
        ["m1", "m3"],
        "consumer a must get every other message"
    );
    assert_eq!(
        to_b,
        ["m2", "m4"],
        "consumer b must get the rest, alternating"
    );
}

#[tokio::test]
async fn publishing_to_an_undeclared_exchange_is_a_not_found_error() {
    let broker = InMemoryBroker::new();
    let result = broker.publish("video-events", "video.up", msg("m")).await;
    let expected = Err(BusError::ExchangeNotFound("video-events".to_owned()));
    assert_eq!(
        result, expected,
        "publishing before declaring is AMQP's 404"
    );
    let published = broker.metrics().published;
    assert_eq!(published, 0, "a refused publish is not counted");
}

#[tokio::test]
async fn redeclaring_with_other_settings_fails_and_names_the_difference() {
    let broker = InMemoryBroker::new();
    exchange(&broker, "events", ExchangeKind::Topic).await;
    exchange(&broker, "events", ExchangeKind::Topic).await;
    let fanout = ExchangeSpec::durable("events", ExchangeKind::Fanout);
    let error = broker.declare_exchange(&fanout).await.unwrap_err();
    assert!(
        matches!(&error, BusError::PreconditionFailed { name, reason }
            if name == "events" && reason.contains("type is topic, requested fanout")),
        "an exchange re-declared as fanout must name the type difference, got {error:?}"
    );

    queue(&broker, QueueSpec::durable("work").delivery_limit(5)).await;
    queue(&broker, QueueSpec::durable("work").delivery_limit(5)).await;
    let stricter = QueueSpec::durable("work").delivery_limit(3);
    let error = broker.declare_queue(&stricter).await.unwrap_err();
    assert!(
        matches!(&error, BusError::PreconditionFailed { reason, .. }
            if reason.contains("x-delivery-limit is 5, requested 3")),
        "a queue re-declared with another limit must name the limit, got {error:?}"
    );
}

#[tokio::test]
async fn default_and_reserved_exchanges_cannot_be_declared_or_bound() {
    let broker = InMemoryBroker::new();
    queue(&broker, QueueSpec::durable("work")).await;
    for name in ["", "amq.topic"] {
        let spec = ExchangeSpec::durable(name, ExchangeKind::Topic);
        let result = broker.declare_exchange(&spec).await;
        let expected = BusError::InvalidName(name.to_owned());
        assert_eq!(result, Err(expected), "declaring `{name}` must be refused");
    }
    let result = broker.bind_queue("work", "", "work").await;
    let expected = Err(BusError::InvalidName(String::new()));
    assert_eq!(
        result, expected,
        "binding to the default exchange is refused"
    );
}

#[tokio::test]
async fn binding_undeclared_ends_names_the_missing_one() {
    let broker = InMemoryBroker::new();
    exchange(&broker, "events", ExchangeKind::Direct).await;
    queue(&broker, QueueSpec::durable("work")).await;
    let result = broker.bind_queue("work", "nope", "k").await;
    let expected = BusError::ExchangeNotFound("nope".to_owned());
    assert_eq!(result, Err(expected), "a missing exchange must be named");
    let result = broker.bind_queue("ghost", "events", "k").await;
    let expected = BusError::QueueNotFound("ghost".to_owned());
    assert_eq!(result, Err(expected), "a missing queue must be named");
}

#[tokio::test]
async fn dropping_a_consumer_requeues_its_unacked_deliveries_in_order() {
    let broker = InMemoryBroker::new();
    queue(&broker, QueueSpec::durable("work")).await;
    publish(&broker, "", "work", "m1").await;
    publish(&broker, "", "work", "m2").await;
    let mut doomed = consume(&broker, "work", 0).await;
    let _held = doomed.try_next().expect("delivered");
    let before = stats(&broker, "work").await;
    assert_eq!(before, counts(0, 2, 1), "both messages are assigned");
    drop(doomed);
    let after = stats(&broker, "work").await;
    assert_eq!(after, counts(2, 0, 0), "closing must return both messages");

    let mut survivor = consume(&broker, "work", 0).await;
    let first = survivor.try_next().expect("the first requeued message");
    let second = survivor.try_next().expect("the second requeued message");
    let again = [summary(&first), summary(&second)];
    let expected = [("m1", true, 2), ("m2", true, 2)];
    assert_eq!(again, expected, "requeued in order, marked redelivered");
}

#[tokio::test]
async fn settling_a_message_that_was_already_settled_is_an_error() {
    let broker = InMemoryBroker::new();
    queue(&broker, QueueSpec::durable("work")).await;
    publish(&broker, "", "work", "m").await;
    let mut first = consume(&broker, "work", 0).await;
    let stale = first.try_next().expect("delivered");
    let stale_tag = stale.delivery_tag;
    drop(first);
    let mut second = consume(&broker, "work", 0).await;
    let redelivery = second.try_next().expect("redelivered to the survivor");
    redelivery.ack().await.expect("the redelivery is acked");

    let result = stale.ack().await;
    let expected = Err(BusError::AlreadySettled(stale_tag));
    assert_eq!(result, expected, "a second ack must report it settled");
    let acked = broker.metrics().acked;
    assert_eq!(acked, 1, "the message must be acked exactly once");
}

#[tokio::test]
async fn queue_matched_by_several_bindings_gets_the_message_once() {
    let broker = InMemoryBroker::new();
    exchange(&broker, "tx", ExchangeKind::Topic).await;
    queue(&broker, QueueSpec::durable("work")).await;
    for key in ["video.*", "#", "video.uploaded"] {
        bind(&broker, "work", "tx", key).await;
    }
    let routed = publish(&broker, "tx", "video.uploaded", "m").await;
    assert_eq!(routed, 1, "three matching bindings route to one queue");
    let ready = stats(&broker, "work").await.ready;
    assert_eq!(ready, 1, "the queue must hold one copy, not three");
}

#[tokio::test]
async fn waiting_consumer_wakes_for_a_publish_and_ends_at_shutdown() {
    let broker = InMemoryBroker::new();
    queue(&broker, QueueSpec::durable("work")).await;
    let mut consumer = consume(&broker, "work", 0).await;
    let waiter = tokio::spawn(async move {
        let first = consumer.next().await.map(|delivery| id_of(&delivery));
        let after_shutdown = consumer.next().await.map(|delivery| id_of(&delivery));
        (first, after_shutdown)
    });
    tokio::task::yield_now().await;
    publish(&broker, "", "work", "wake").await;
    tokio::task::yield_now().await;
    broker.shutdown();
    // A guard against a lost wake-up hanging the suite, not a speed threshold.
    let finished = tokio::time::timeout(std::time::Duration::from_secs(10), waiter).await;
    let finished = finished.expect("shutdown must wake the waiting consumer");
    let (first, after_shutdown) = finished.expect("consumer task finishes");
    let first = first.as_deref();
    assert_eq!(
        first,
        Some("wake"),
        "a waiting consumer receives the publish"
    );
    assert_eq!(after_shutdown, None, "next() returns None after shutdown");
    let late = broker.publish("", "work", msg("late")).await;
    let refused = matches!(late, Err(BusError::Unavailable(_)));
    assert!(refused, "publishing after shutdown must fail, got {late:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_publishers_and_consumers_lose_nothing() {
    const PUBLISHERS: usize = 8;
    const PER_PUBLISHER: usize = 200;
    let broker = InMemoryBroker::new();
    exchange(&broker, "events", ExchangeKind::Topic).await;
    queue(&broker, QueueSpec::durable("work")).await;
    bind(&broker, "work", "events", "load.#").await;
    let (sender, mut received) = tokio::sync::mpsc::unbounded_channel();
    let mut consumers = Vec::new();
    for _ in 0..3 {
        let mut consumer = consume(&broker, "work", 4).await;
        let sender = sender.clone();
        consumers.push(tokio::spawn(async move {
            while let Some(delivery) = consumer.next().await {
                let id = id_of(&delivery);
                delivery.ack().await.expect("ack");
                if sender.send(id).is_err() {
                    break;
                }
            }
        }));
    }
    let publishers: Vec<_> = (0..PUBLISHERS)
        .map(|p| {
            let broker = broker.clone();
            tokio::spawn(async move {
                for i in 0..PER_PUBLISHER {
                    publish(&broker, "events", "load.test", &format!("{p}-{i}")).await;
                }
            })
        })
        .collect();
    for publisher in publishers {
        publisher.await.expect("publisher finishes");
    }
    let mut seen = HashSet::new();
    while seen.len() < PUBLISHERS * PER_PUBLISHER {
        // A guard against a hang, not a speed threshold.
        let next = tokio::time::timeout(std::time::Duration::from_secs(10), received.recv());
        let id = next
            .await
            .expect("every message must be consumed")
            .expect("consumers alive");
        assert!(seen.insert(id.clone()), "message {id} was delivered twice");
    }
    broker.shutdown();
    for consumer in consumers {
        let finished = tokio::time::timeout(std::time::Duration::from_secs(10), consumer).await;
        finished
            .expect("shutdown must end every consumer")
            .expect("consumer finishes");
    }
    let metrics = broker.metrics();
    let work = (metrics.published, metrics.acked);
    assert_eq!(work, (1600, 1600), "each publish must be acked once");
    let left = stats(&broker, "work").await;
    assert_eq!(left, counts(0, 0, 0), "nothing may be left behind");
}
