//! RabbitMQ: the bus drops its connection when the broker goes and opens a new
//! one on the next call; a consumer subscribes again by itself. The restarted
//! node is a fresh one, so the caller declares its topology again, as a service
//! does at startup.

use std::time::Duration;

use mediaflow_shared::events::{
    AmqpSettings, BusError, ConsumeOptions, EventBus, Message, QueueSpec, RabbitBus,
};

use super::outage::{RECOVER_WITHIN, assert_names_url, fails_in_time, report, succeeds_in_time};
use super::server::{Backend, PrivateServer};

const QUEUE: &str = "lost-connection";

fn message(id: &str) -> Message {
    Message::json(id, br#"{"n":1}"#.to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_rabbitmq_fails_the_next_call_naming_the_url_and_the_bus_and_its_consumer_recover_after_a_restart()
 {
    let Some(server) = PrivateServer::start(Backend::RabbitMq).await else {
        return;
    };
    let settings = AmqpSettings::from_url(server.url()).expect("the script prints a URL");
    let url = settings.redacted_url().to_owned();
    let bus = RabbitBus::new(settings);
    let queue = QueueSpec {
        name: QUEUE.to_owned(),
        ..QueueSpec::default()
    };
    bus.declare_queue(&queue)
        .await
        .expect("a call while the broker runs");
    let mut consumer = bus
        .consume(QUEUE, ConsumeOptions::new("lost", 1))
        .await
        .expect("a consumer");

    server.stop().await;
    let (error, error_after) =
        fails_in_time("a publish", bus.publish("", QUEUE, message("m-1"))).await;
    assert!(matches!(error, BusError::Unavailable(_)), "{error:?}");
    assert_names_url(&error.to_string(), &url);

    let restart = server.restart().await;
    let ((), recovered) = succeeds_in_time("a declaration", bus.declare_queue(&queue)).await;
    let outcome = bus
        .publish("", QUEUE, message("m-2"))
        .await
        .expect("a publish after the restart");
    assert_eq!(
        outcome.routed, 1,
        "the queue declared again takes the message"
    );
    // The consumer made before the outage subscribed again by itself.
    let delivery = tokio::time::timeout(RECOVER_WITHIN, consumer.next())
        .await
        .expect("the consumer from before the outage receives again")
        .expect("a delivery, not the end of the consumer");
    assert_eq!(delivery.message.message_id.as_deref(), Some("m-2"));
    delivery.ack().await.expect("the ack");

    // Only the broker cancelling the subscription ends a consumer.
    bus.delete_queue(QUEUE).await.expect("the queue deleted");
    let ended = tokio::time::timeout(Duration::from_secs(5), consumer.next())
        .await
        .expect("a consumer of a deleted queue ends");
    assert!(
        ended.is_none(),
        "no delivery from a deleted queue: {ended:?}"
    );
    report("rabbitmq", error_after, restart, recovered);
}
