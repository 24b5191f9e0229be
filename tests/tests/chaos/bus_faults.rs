//! Bus faults as a consumer sees them: dropped, duplicated, reordered, delayed and
//! failed publishes through `ChaosBus`, and seeded drop rates that reproduce.

use std::sync::Arc;

use mediaflow_shared::chaos::{BusFault, ChaosBus, ChaosBusStats};
use mediaflow_shared::events::{
    BusError, ConsumeOptions, Consumer, EventBus, InMemoryBroker, Message, PublishOutcome,
    QueueSpec,
};

/// A chaos bus over a fresh broker with the queue `work`, declared through the
/// chaos layer (declarations pass straight through).
async fn chaos_bus(seed: u64) -> (InMemoryBroker, ChaosBus) {
    let broker = InMemoryBroker::new();
    let chaos = ChaosBus::new(Arc::new(broker.clone()), seed);
    let declared = chaos.declare_queue(&QueueSpec::durable("work")).await;
    declared.expect("declaration passes through to the broker");
    (broker, chaos)
}

async fn send(chaos: &ChaosBus, id: &str) -> Result<PublishOutcome, BusError> {
    chaos
        .publish("", "work", Message::json(id, b"{}".to_vec()))
        .await
}

async fn consumer(chaos: &ChaosBus) -> Box<dyn Consumer> {
    let consumer = chaos.consume("work", ConsumeOptions::new("probe", 0)).await;
    consumer.expect("consume passes through to the broker")
}

/// Ids of everything that arrived so far, acked.
async fn arrived(consumer: &mut Box<dyn Consumer>) -> Vec<String> {
    let mut ids = Vec::new();
    while let Some(delivery) = consumer.try_next() {
        ids.push(delivery.message.message_id.clone().unwrap_or_default());
        delivery.ack().await.expect("ack");
    }
    ids
}

const DELIVERED: Result<PublishOutcome, BusError> = Ok(PublishOutcome { routed: 1 });

#[tokio::test]
async fn dropped_message_never_arrives_though_the_publisher_saw_success() {
    let (broker, chaos) = chaos_bus(1).await;
    let mut probe = consumer(&chaos).await;
    chaos.inject(BusFault::DropNext(1));
    assert_eq!(
        send(&chaos, "lost").await,
        DELIVERED,
        "loss after the ack looks delivered"
    );
    assert_eq!(
        send(&chaos, "kept").await,
        DELIVERED,
        "the next publish is unaffected"
    );
    assert_eq!(
        arrived(&mut probe).await,
        ["kept"],
        "only the second message may arrive"
    );
    assert_eq!(
        broker.metrics().published,
        1,
        "the dropped message never reached the broker"
    );
    assert_eq!(chaos.stats().dropped, 1, "one drop is counted");
}

#[tokio::test]
async fn duplicated_message_arrives_twice_with_the_same_message_id() {
    let (_broker, chaos) = chaos_bus(1).await;
    let mut probe = consumer(&chaos).await;
    chaos.inject(BusFault::DuplicateNext(1));
    assert_eq!(
        send(&chaos, "twice").await,
        DELIVERED,
        "the publisher sees one publish"
    );
    send(&chaos, "once").await.expect("publish");
    let ids = arrived(&mut probe).await;
    assert_eq!(
        ids,
        ["twice", "twice", "once"],
        "the duplicate must share the message id"
    );
}

#[tokio::test]
async fn reorder_window_publishes_its_batch_in_reverse() {
    let (_broker, chaos) = chaos_bus(1).await;
    let mut probe = consumer(&chaos).await;
    chaos.inject(BusFault::ReorderWindow(3));
    send(&chaos, "m1").await.expect("buffered");
    send(&chaos, "m2").await.expect("buffered");
    assert!(
        arrived(&mut probe).await.is_empty(),
        "a window holds messages until it is full"
    );
    send(&chaos, "m3").await.expect("fills the window");
    let ids = arrived(&mut probe).await;
    assert_eq!(
        ids,
        ["m3", "m2", "m1"],
        "a full window must be published in reverse"
    );
    assert_eq!(
        chaos.stats().reordered,
        3,
        "three messages went out of order"
    );
}

#[tokio::test]
async fn flush_releases_a_partial_reorder_window() {
    let (_broker, chaos) = chaos_bus(1).await;
    let mut probe = consumer(&chaos).await;
    chaos.inject(BusFault::ReorderWindow(5));
    send(&chaos, "m1").await.expect("buffered");
    send(&chaos, "m2").await.expect("buffered");
    assert_eq!(
        chaos.flush().await,
        Ok(2),
        "flush must publish the two buffered messages"
    );
    assert_eq!(
        arrived(&mut probe).await,
        ["m2", "m1"],
        "a flushed window is reversed too"
    );
}

#[tokio::test]
async fn delayed_message_is_held_until_released_and_is_overtaken() {
    let (_broker, chaos) = chaos_bus(1).await;
    let mut probe = consumer(&chaos).await;
    chaos.inject(BusFault::DelayNext(1));
    assert_eq!(
        send(&chaos, "late").await,
        DELIVERED,
        "a held publish looks delivered"
    );
    send(&chaos, "early").await.expect("publish");
    assert_eq!(
        arrived(&mut probe).await,
        ["early"],
        "the held message must not arrive yet"
    );
    assert_eq!(
        chaos.release_delayed().await,
        Ok(1),
        "one held message is released"
    );
    assert_eq!(
        arrived(&mut probe).await,
        ["late"],
        "release must deliver the held message"
    );
}

#[tokio::test]
async fn failing_publishes_error_then_the_bus_recovers() {
    let (broker, chaos) = chaos_bus(1).await;
    let mut probe = consumer(&chaos).await;
    chaos.inject(BusFault::FailNext(2));
    for id in ["f1", "f2"] {
        let error = send(&chaos, id).await.expect_err("an injected failure");
        assert!(
            matches!(&error, BusError::Unavailable(reason) if reason.contains("injected fault")),
            "a failed publish must report the bus unavailable, got {error:?}"
        );
    }
    assert_eq!(
        send(&chaos, "ok").await,
        DELIVERED,
        "after two failures publishing recovers"
    );
    assert_eq!(
        arrived(&mut probe).await,
        ["ok"],
        "failed publishes deliver nothing"
    );
    assert_eq!(
        broker.metrics().published,
        1,
        "failed publishes never reached the broker"
    );
}

/// Publishes 200 messages at a 30 % drop rate and returns the ids that arrived.
async fn survivors(seed: u64) -> Vec<String> {
    let (_broker, chaos) = chaos_bus(seed).await;
    let mut probe = consumer(&chaos).await;
    chaos.inject(BusFault::DropRate(0.3));
    for i in 0..200 {
        send(&chaos, &format!("m{i}"))
            .await
            .expect("drops still look delivered");
    }
    arrived(&mut probe).await
}

#[tokio::test]
async fn a_seeded_drop_rate_drops_the_same_messages_every_run() {
    let first = survivors(42).await;
    let again = survivors(42).await;
    assert_eq!(
        first, again,
        "the same seed must lose exactly the same messages"
    );
    assert!(
        (100..200).contains(&first.len()),
        "a 30% drop rate must lose some but not most of 200 messages, {} arrived",
        first.len()
    );
    assert_ne!(
        first,
        survivors(43).await,
        "another seed must lose other messages"
    );
}

#[tokio::test]
async fn clear_stops_new_faults_but_keeps_held_messages() {
    let (_broker, chaos) = chaos_bus(1).await;
    let mut probe = consumer(&chaos).await;
    chaos.inject(BusFault::DelayNext(1));
    send(&chaos, "held").await.expect("publish");
    chaos.inject(BusFault::DropNext(5));
    chaos.inject(BusFault::FailNext(5));
    chaos.clear();
    send(&chaos, "after-clear").await.expect("publish");
    assert_eq!(
        arrived(&mut probe).await,
        ["after-clear"],
        "cleared faults must not apply"
    );
    assert_eq!(
        chaos.release_delayed().await,
        Ok(1),
        "clearing must not lose held messages"
    );
    assert_eq!(
        arrived(&mut probe).await,
        ["held"],
        "the held message arrives on release"
    );
}

#[tokio::test]
async fn stats_count_each_kind_of_fault() {
    let (_broker, chaos) = chaos_bus(1).await;
    for fault in [
        BusFault::FailNext(1),
        BusFault::DropNext(1),
        BusFault::DelayNext(1),
        BusFault::DuplicateNext(1),
    ] {
        chaos.inject(fault);
        let _ = send(&chaos, "m").await;
    }
    chaos.inject(BusFault::ReorderWindow(2));
    for _ in 0..2 {
        send(&chaos, "r").await.expect("publish");
    }
    let expected = ChaosBusStats {
        dropped: 1,
        duplicated: 1,
        delayed: 1,
        reordered: 2,
        failed: 1,
    };
    assert_eq!(
        chaos.stats(),
        expected,
        "each injected fault must be counted once"
    );
}
