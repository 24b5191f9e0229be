//! Startup topology: validation catches missing exchanges, queues and dead-letter
//! exchanges before anything is declared, and declaring twice is harmless.

use mediaflow_shared::events::{
    BusError, ConsumeOptions, EventBus, ExchangeKind, ExchangeSpec, InMemoryBroker, Message,
    QueueSpec, Topology, TopologyError,
};

/// The catalog service's fragment: video events in, failures parked.
fn catalog_fragment() -> Topology {
    Topology::new()
        .exchange(ExchangeSpec::durable("video-events", ExchangeKind::Topic))
        .exchange(ExchangeSpec::durable("catalog.dlx", ExchangeKind::Fanout))
        .queue(QueueSpec::durable("catalog.videos").dead_letter_to("catalog.dlx"))
        .queue(QueueSpec::durable("catalog.parked"))
        .bind("catalog.videos", "video-events", "video.#")
        .bind("catalog.parked", "catalog.dlx", "")
}

#[test]
fn validate_names_the_queue_whose_dead_letter_exchange_is_missing() {
    let topology = Topology::new()
        .exchange(ExchangeSpec::durable("video-events", ExchangeKind::Topic))
        .queue(QueueSpec::durable("transcode.jobs").dead_letter_to("transcode.dlx"))
        .bind("transcode.jobs", "video-events", "video.uploaded");
    let error = topology.validate().expect_err("the DLX is not declared");
    assert_eq!(
        error,
        TopologyError::MissingDeadLetterExchange {
            queue: "transcode.jobs".to_owned(),
            exchange: "transcode.dlx".to_owned(),
        },
        "validation must name the queue and the dead-letter exchange it lacks"
    );
    let text = error.to_string();
    assert!(
        text.contains("`transcode.jobs`") && text.contains("`transcode.dlx`"),
        "the message must name both the queue and the exchange, got: {text}"
    );
}

#[test]
fn validate_names_a_binding_to_an_undeclared_exchange() {
    let topology = Topology::new()
        .queue(QueueSpec::durable("recommendations.views"))
        .bind("recommendations.views", "analytics-events", "view.recorded");
    assert_eq!(
        topology.validate(),
        Err(TopologyError::MissingExchange {
            queue: "recommendations.views".to_owned(),
            exchange: "analytics-events".to_owned(),
            binding_key: "view.recorded".to_owned(),
        }),
        "binding to an exchange nobody declares is the classic lost-events startup bug"
    );
}

#[test]
fn validate_names_a_binding_of_an_undeclared_queue() {
    let topology = Topology::new()
        .exchange(ExchangeSpec::durable(
            "billing-events",
            ExchangeKind::Direct,
        ))
        .bind(
            "users.subscriptions",
            "billing-events",
            "subscription.changed",
        );
    assert_eq!(
        topology.validate(),
        Err(TopologyError::MissingQueue {
            queue: "users.subscriptions".to_owned(),
            exchange: "billing-events".to_owned(),
        }),
        "a binding of an undeclared queue must be reported with its exchange"
    );
}

#[test]
fn merged_fragments_validate_together_and_conflicts_are_reported() {
    let streaming = Topology::new()
        .exchange(ExchangeSpec::durable("video-events", ExchangeKind::Topic))
        .queue(QueueSpec::durable("streaming.purge"))
        .bind("streaming.purge", "video-events", "video.unpublished");
    let merged = catalog_fragment().merge(streaming);
    assert_eq!(
        merged.validate(),
        Ok(()),
        "two consistent fragments form a valid topology"
    );
    assert_eq!(
        merged.exchanges().len(),
        2,
        "the exchange both fragments declare identically must appear once"
    );

    let clashing =
        Topology::new().exchange(ExchangeSpec::durable("video-events", ExchangeKind::Fanout));
    let error = merged.merge(clashing).validate().expect_err("kinds differ");
    assert!(
        matches!(&error, TopologyError::Conflict { name, .. } if name == "video-events"),
        "fragments disagreeing on an exchange's kind must be reported, got {error:?}"
    );
}

#[tokio::test]
async fn declare_twice_is_idempotent_and_routes_through_the_dead_letter_path() {
    let broker = InMemoryBroker::new();
    let topology = catalog_fragment();
    topology.declare(&broker).await.expect("first declaration");
    topology
        .declare(&broker)
        .await
        .expect("declaring again at the next startup is a no-op");

    let message = Message::json("evt-1", b"{}".to_vec());
    let outcome = broker
        .publish("video-events", "video.uploaded", message)
        .await;
    assert_eq!(
        outcome.map(|o| o.routed),
        Ok(1),
        "the binding must route video events once"
    );
    let mut consumer = broker
        .consume("catalog.videos", ConsumeOptions::new("catalog", 0))
        .await
        .expect("the declared queue can be consumed");
    let delivery = consumer.try_next().expect("the event is delivered");
    delivery.reject(false).await.expect("reject");
    let parked = broker
        .queue_stats("catalog.parked")
        .await
        .expect("declared");
    assert_eq!(
        parked.ready, 1,
        "the declared DLX must route the rejected event to the parking queue"
    );
}

#[tokio::test]
async fn an_invalid_topology_declares_nothing() {
    let broker = InMemoryBroker::new();
    let topology = Topology::new()
        .exchange(ExchangeSpec::durable("upload-events", ExchangeKind::Topic))
        .queue(QueueSpec::durable("transcode.jobs").dead_letter_to("missing.dlx"));
    let error = topology
        .declare(&broker)
        .await
        .expect_err("invalid topology");
    assert!(
        matches!(error, TopologyError::MissingDeadLetterExchange { .. }),
        "declare must validate first, got {error:?}"
    );
    let probe = broker
        .publish("upload-events", "x", Message::default())
        .await;
    assert_eq!(
        probe,
        Err(BusError::ExchangeNotFound("upload-events".to_owned())),
        "validation must fail before the first exchange is declared, not halfway through"
    );
}

#[tokio::test]
async fn a_bus_refusal_surfaces_as_a_topology_error() {
    let broker = InMemoryBroker::new();
    broker
        .declare_queue(&QueueSpec::durable("catalog.videos"))
        .await
        .expect("a queue declared earlier without a DLX");
    let error = catalog_fragment()
        .declare(&broker)
        .await
        .expect_err("settings differ");
    assert!(
        matches!(&error, TopologyError::Bus(BusError::PreconditionFailed { name, .. }) if name == "catalog.videos"),
        "a queue re-declared with a DLX must fail startup loudly, got {error:?}"
    );
}
