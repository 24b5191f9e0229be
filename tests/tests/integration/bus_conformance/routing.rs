//! Conformance of topology and routing: direct, topic and fanout exchanges, topic
//! wildcards, unroutable messages, re-declaration and the errors a broker answers
//! with (missing exchange or queue, inequivalent declaration, reserved names).

use std::collections::BTreeSet;
use std::sync::Arc;

use tokio::sync::Barrier;

use mediaflow_shared::events::{BusError, ExchangeKind, ExchangeSpec, QueueSpec};

use super::{Backend, counts, msg};

fn ids(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|id| (*id).to_owned()).collect()
}

pub(super) async fn direct_exchanges_route_by_exact_key_and_fanout_ignores_it(b: &Backend) {
    let direct = b.exchange("dx", ExchangeKind::Direct).await;
    let fanout = b.exchange("fx", ExchangeKind::Fanout).await;
    let encode = b.queue(QueueSpec::durable("encode")).await;
    let both = b.queue(QueueSpec::durable("both")).await;
    let fan_1 = b.queue(QueueSpec::durable("fan_1")).await;
    let fan_2 = b.queue(QueueSpec::durable("fan_2")).await;
    b.bind(&encode, &direct, "encode").await;
    b.bind(&both, &direct, "encode").await;
    b.bind(&both, &direct, "publish").await;
    b.bind(&fan_1, &fanout, "ignored").await;
    b.bind(&fan_2, &fanout, "").await;

    assert!(b.publish(&direct, "encode", "d1").await > 0);
    assert!(b.publish(&direct, "publish", "d2").await > 0);
    assert_eq!(
        b.publish(&direct, "Encode", "d3").await,
        0,
        "direct keys match exactly, case included"
    );
    assert!(b.publish(&fanout, "anything", "f1").await > 0);

    b.stats_become(&encode, counts(1, 0, 0), "encode").await;
    b.stats_become(&both, counts(2, 0, 0), "both keys, each message once")
        .await;
    b.stats_become(&fan_1, counts(1, 0, 0), "fanout").await;
    b.stats_become(&fan_2, counts(1, 0, 0), "fanout").await;
    assert_eq!(b.drain(&encode, 1).await, ids(&["d1"]));
    assert_eq!(b.drain(&both, 2).await, ids(&["d1", "d2"]));
    assert_eq!(b.drain(&fan_1, 1).await, ids(&["f1"]));
    assert_eq!(b.drain(&fan_2, 1).await, ids(&["f1"]));
}

pub(super) async fn topic_stars_match_one_word_and_hashes_zero_or_more(b: &Backend) {
    let topic = b.exchange("tx", ExchangeKind::Topic).await;
    // (queue, binding key, message ids it must receive)
    let bindings = [
        (
            "star",
            "video.*",
            &["uploaded", "video-ready", "completed"][..],
        ),
        (
            "hash_end",
            "video.#",
            &["video", "uploaded", "video-ready", "completed", "deep"][..],
        ),
        ("hash_mid", "video.#.completed", &["completed", "deep"][..]),
        ("one_word", "*", &["video"][..]),
        ("exact", "video.uploaded", &["uploaded"][..]),
        (
            "all",
            "#",
            &[
                "video",
                "uploaded",
                "video-ready",
                "completed",
                "deep",
                "other",
            ][..],
        ),
    ];
    let mut queues = Vec::new();
    for (short, key, expected) in bindings {
        let queue = b.queue(QueueSpec::durable(short)).await;
        b.bind(&queue, &topic, key).await;
        queues.push((queue, key, expected));
    }
    // (message id, routing key)
    let published = [
        ("video", "video"),
        ("uploaded", "video.uploaded"),
        ("video-ready", "video.ready"),
        ("completed", "video.completed"),
        ("deep", "video.transcode.completed"),
        ("other", "audio.uploaded.completed.x"),
    ];
    for (id, key) in published {
        assert!(b.publish(&topic, key, id).await > 0, "`{key}` is routed");
    }
    // `video.*` needs exactly one more word; `video.#.completed` matches zero middle words.
    for (queue, key, expected) in queues {
        b.stats_become(&queue, counts(expected.len(), 0, 0), key)
            .await;
        assert_eq!(
            b.drain(&queue, expected.len()).await,
            ids(expected),
            "{key}"
        );
    }
}

pub(super) async fn a_message_no_queue_matches_is_unroutable(b: &Backend) {
    let topic = b.exchange("tx", ExchangeKind::Topic).await;
    let fanout = b.exchange("lonely", ExchangeKind::Fanout).await;
    let queue = b.queue(QueueSpec::durable("videos")).await;
    b.bind(&queue, &topic, "video.*").await;
    assert_eq!(b.publish(&topic, "audio.uploaded", "a").await, 0);
    assert_eq!(b.publish(&fanout, "x", "b").await, 0, "no queue bound");
    assert_eq!(
        b.publish("", &b.name("missing"), "c").await,
        0,
        "the default exchange routes only to a queue of that name"
    );
    assert!(
        b.publish("", &queue, "d").await > 0,
        "a queue's own name routes to it"
    );
    b.stats_become(&queue, counts(1, 0, 0), "only the routable message")
        .await;
}

pub(super) async fn redeclaring_with_other_settings_is_a_precondition_failure(b: &Backend) {
    let exchange = b.exchange("events", ExchangeKind::Topic).await;
    let dlx = b.exchange("dlx", ExchangeKind::Fanout).await;
    b.bus
        .declare_exchange(&ExchangeSpec::durable(
            exchange.clone(),
            ExchangeKind::Topic,
        ))
        .await
        .expect("an identical re-declaration is a no-op");
    let error = b
        .bus
        .declare_exchange(&ExchangeSpec::durable(
            exchange.clone(),
            ExchangeKind::Direct,
        ))
        .await
        .expect_err("another type is refused");
    assert!(
        matches!(&error, BusError::PreconditionFailed { name, .. } if *name == exchange),
        "{error:?}"
    );

    let spec = QueueSpec::durable("work")
        .dead_letter_to("dlx")
        .delivery_limit(5);
    let queue = b.queue(spec.clone()).await;
    let same = QueueSpec {
        name: queue.clone(),
        dead_letter_exchange: Some(dlx.clone()),
        ..spec
    };
    b.bus
        .declare_queue(&same)
        .await
        .expect("an identical re-declaration is a no-op");
    let others = [
        QueueSpec::durable(queue.clone()).delivery_limit(5),
        QueueSpec {
            dead_letter_exchange: Some(exchange.clone()),
            ..same.clone()
        },
        QueueSpec {
            delivery_limit: Some(3),
            ..same.clone()
        },
        QueueSpec {
            dead_letter_routing_key: Some("dead".to_owned()),
            ..same.clone()
        },
    ];
    for other in others {
        let error = b.bus.declare_queue(&other).await.expect_err("refused");
        assert!(
            matches!(&error, BusError::PreconditionFailed { name, .. } if *name == queue),
            "{other:?} differs from the declaration: {error:?}"
        );
    }
    // A refusal closes the broker's channel; the bus goes on working.
    assert!(b.publish("", &queue, "after").await > 0);
    b.stats_become(&queue, counts(1, 0, 0), "the bus still publishes")
        .await;
}

pub(super) async fn undeclared_exchanges_and_queues_are_not_found(b: &Backend) {
    let missing_exchange = b.name("no-such-exchange");
    let missing_queue = b.name("no-such-queue");
    let queue = b.queue(QueueSpec::durable("q")).await;
    let exchange = b.exchange("x", ExchangeKind::Direct).await;

    let published = b.bus.publish(&missing_exchange, "k", msg("m")).await;
    assert_eq!(
        published,
        Err(BusError::ExchangeNotFound(missing_exchange.clone()))
    );
    let bound = b.bus.bind_queue(&queue, &missing_exchange, "k").await;
    assert_eq!(bound, Err(BusError::ExchangeNotFound(missing_exchange)));
    let bound = b.bus.bind_queue(&missing_queue, &exchange, "k").await;
    assert_eq!(bound, Err(BusError::QueueNotFound(missing_queue.clone())));
    let consumed = b
        .bus
        .consume(
            &missing_queue,
            mediaflow_shared::events::ConsumeOptions::new("c", 1),
        )
        .await;
    assert!(
        matches!(&consumed, Err(BusError::QueueNotFound(name)) if *name == missing_queue),
        "{consumed:?}"
    );
    let stats = b.bus.queue_stats(&missing_queue).await;
    assert_eq!(stats, Err(BusError::QueueNotFound(missing_queue)));
    // None of that broke the bus.
    b.bind(&queue, &exchange, "k").await;
    assert!(b.publish(&exchange, "k", "ok").await > 0);
    b.stats_become(&queue, counts(1, 0, 0), "still publishing")
        .await;
}

pub(super) async fn reserved_and_empty_names_are_invalid(b: &Backend) {
    let queue = b.queue(QueueSpec::durable("q")).await;
    for name in ["amq.mine", ""] {
        let exchange = ExchangeSpec::durable(name, ExchangeKind::Direct);
        assert_eq!(
            b.bus.declare_exchange(&exchange).await,
            Err(BusError::InvalidName(name.to_owned()))
        );
        assert_eq!(
            b.bus.declare_queue(&QueueSpec::durable(name)).await,
            Err(BusError::InvalidName(name.to_owned()))
        );
    }
    assert_eq!(
        b.bus.bind_queue(&queue, "", &queue).await,
        Err(BusError::InvalidName(String::new())),
        "queues are bound to the default exchange implicitly"
    );
}

pub(super) async fn a_failed_publish_does_not_fail_the_publishes_beside_it(b: &Backend) {
    let exchange = b.exchange("x", ExchangeKind::Direct).await;
    let queue = b.queue(QueueSpec::durable("q")).await;
    b.bind(&queue, &exchange, "k").await;
    let missing = b.name("missing");
    // On RabbitMQ the publishes share one channel, which a publish to a missing
    // exchange closes: the others must still go through, each exactly once.
    let start = Arc::new(Barrier::new(40));
    let publishes = (0..40).map(|i| {
        let (bus, exchange, missing) = (b.bus.clone(), exchange.clone(), missing.clone());
        let start = Arc::clone(&start);
        tokio::spawn(async move {
            let target = if i % 4 == 0 { missing } else { exchange };
            start.wait().await;
            (i, bus.publish(&target, "k", msg(&format!("m{i}"))).await)
        })
    });
    let mut delivered = BTreeSet::new();
    for publish in publishes.collect::<Vec<_>>() {
        let (i, outcome) = publish.await.expect("the publish task ends");
        if i % 4 == 0 {
            assert_eq!(outcome, Err(BusError::ExchangeNotFound(missing.clone())));
        } else {
            let routed = outcome.unwrap_or_else(|e| panic!("publish {i} failed: {e}"));
            assert!(routed.routed > 0, "publish {i} is routed");
            delivered.insert(format!("m{i}"));
        }
    }
    b.stats_become(&queue, counts(30, 0, 0), "each good publish once")
        .await;
    assert_eq!(b.drain(&queue, 30).await, delivered);
}
