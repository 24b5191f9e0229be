//! What only the RabbitMQ backend has: its settings, an unreachable broker, `Infra`
//! selecting it, and a bus that outlives the runtime that opened its connection.

use std::time::{Duration, Instant};

use mediaflow_shared::config::Env;
use mediaflow_shared::events::{
    AmqpSettings, BusError, ConsumeOptions, EventBus, ExchangeKind, ExchangeSpec, QueueSpec,
    RabbitBus,
};

use super::{AMQP_URL_VAR, id_of, msg, next};

#[tokio::test]
async fn a_dead_broker_is_unavailable_quickly_and_named_with_the_password_redacted() {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    let settings =
        AmqpSettings::from_url("amqp://mediaflow:s3cret@127.0.0.1:1/mediaflow").expect("valid");
    let bus = RabbitBus::new(settings);
    let started = Instant::now();
    let spec = ExchangeSpec::durable("orders", ExchangeKind::Topic);
    let error = bus.declare_exchange(&spec).await.expect_err("no broker");
    let BusError::Unavailable(message) = error else {
        panic!("an unreachable broker is Unavailable, got {error:?}");
    };
    assert!(
        message.contains("amqp://mediaflow:***@127.0.0.1:1/mediaflow"),
        "the message names the URL: {message}"
    );
    assert!(!message.contains("s3cret"), "no password in: {message}");
    let publish = bus.publish("orders", "k", msg("m")).await;
    assert!(
        matches!(publish, Err(BusError::Unavailable(_))),
        "publishing is Unavailable too, got {publish:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10), "never a hang");
}

#[test]
fn settings_read_the_amqp_url_and_refuse_other_schemes_without_showing_the_password() {
    let env = Env::from_pairs([("MEDIAFLOW_AMQP_URL", "amqp://u:pw@127.0.0.1:5672/%2f")]);
    let settings = AmqpSettings::from_env(&env)
        .expect("valid")
        .expect("configured");
    assert_eq!(settings.redacted_url(), "amqp://u:***@127.0.0.1:5672/%2f");
    assert!(
        AmqpSettings::from_env(&Env::from_pairs(Vec::<(String, String)>::new()))
            .expect("valid")
            .is_none(),
        "absent → embedded"
    );
    for url in [
        "amqps://u:pw@127.0.0.1:5671/v",
        "redis://u:pw@127.0.0.1:1/0",
    ] {
        let error = AmqpSettings::from_env(&Env::from_pairs([("MEDIAFLOW_AMQP_URL", url)]))
            .expect_err("not amqp://");
        assert!(error.to_string().contains("MEDIAFLOW_AMQP_URL"), "{error}");
        assert!(!error.to_string().contains("pw@"), "redacted: {error}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn infra_puts_the_bus_on_rabbitmq_only_when_a_url_is_set() {
    use mediaflow_shared::infra::Infra;

    let embedded =
        Infra::from_env(&Env::from_pairs(Vec::<(String, String)>::new())).expect("embedded infra");
    assert!(
        format!("{:?}", embedded.bus).starts_with("InMemoryBroker"),
        "no URL: the embedded broker, got {:?}",
        embedded.bus
    );

    let Some(url) = Env::from_process().raw(AMQP_URL_VAR).map(str::to_owned) else {
        eprintln!("skipped: {AMQP_URL_VAR} not set");
        return;
    };
    let infra = Infra::from_env(&Env::from_pairs([("MEDIAFLOW_AMQP_URL", url.as_str())]))
        .expect("infra on RabbitMQ");
    assert_eq!(
        infra.kind().to_string(),
        "events on RabbitMQ, the rest embedded"
    );
    let queue = format!("test.{}.infra.q", std::process::id());
    infra
        .bus
        .declare_queue(&QueueSpec::durable(queue.clone()))
        .await
        .expect("the broker is reachable");
    let routed = infra
        .bus
        .publish("", &queue, msg("m"))
        .await
        .expect("publish");
    assert!(
        routed.routed > 0,
        "the default exchange routes to the queue"
    );
    let rabbit = RabbitBus::new(AmqpSettings::from_url(&url).expect("URL"));
    let mut consumer = rabbit
        .consume(&queue, ConsumeOptions::new("check", 1))
        .await
        .expect("the queue is on the broker itself");
    assert_eq!(id_of(&next(&mut consumer).await), "m");
    drop(consumer);
    rabbit.delete_queue(&queue).await.expect("deleted");
}

#[test]
fn a_rabbit_bus_outlives_the_runtime_that_opened_its_connection() {
    let Some(url) = Env::from_process().raw(AMQP_URL_VAR).map(str::to_owned) else {
        eprintln!("skipped: {AMQP_URL_VAR} not set");
        return;
    };
    let bus = RabbitBus::new(AmqpSettings::from_url(&url).expect("URL"));
    let queue = format!("test.{}.outlives_runtime.q", std::process::id());
    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    };
    runtime().block_on(async {
        bus.declare_queue(&QueueSpec::durable(queue.clone()))
            .await
            .expect("declared on the first runtime");
        let routed = bus.publish("", &queue, msg("m")).await.expect("publish");
        assert!(routed.routed > 0);
    });
    // The first runtime is gone, and the connection's heartbeat and RPC tasks with
    // it: the next call notices and opens a new connection instead of hanging.
    runtime().block_on(async {
        let mut consumer = tokio::time::timeout(
            Duration::from_secs(15),
            bus.consume(&queue, ConsumeOptions::new("c", 1)),
        )
        .await
        .expect("no hang")
        .expect("consumes on the second runtime");
        assert_eq!(id_of(&next(&mut consumer).await), "m");
        drop(consumer);
        bus.delete_queue(&queue).await.expect("deleted");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exchange_deleted_behind_the_bus_is_not_found_and_publishing_goes_on() {
    let Some(url) = Env::from_process().raw(AMQP_URL_VAR).map(str::to_owned) else {
        eprintln!("skipped: {AMQP_URL_VAR} not set");
        return;
    };
    let bus = RabbitBus::new(AmqpSettings::from_url(&url).expect("URL"));
    let other = RabbitBus::new(AmqpSettings::from_url(&url).expect("URL"));
    let prefix = format!("test.{}.deleted_behind.", std::process::id());
    let (doomed, kept, queue) = (
        format!("{prefix}doomed"),
        format!("{prefix}kept"),
        format!("{prefix}q"),
    );
    for name in [&doomed, &kept] {
        bus.declare_exchange(&ExchangeSpec::durable(name.clone(), ExchangeKind::Fanout))
            .await
            .expect("declared");
    }
    bus.declare_queue(&QueueSpec::durable(queue.clone()))
        .await
        .expect("declared");
    bus.bind_queue(&queue, &kept, "").await.expect("bound");
    assert_eq!(
        bus.publish(&doomed, "k", msg("a")).await.map(|o| o.routed),
        Ok(0)
    );
    other
        .delete_exchange(&doomed)
        .await
        .expect("deleted by someone else");
    // The bus believes the exchange exists: the publish goes to the shared channel,
    // which the broker closes with a 404.
    assert_eq!(
        bus.publish(&doomed, "k", msg("b")).await,
        Err(BusError::ExchangeNotFound(doomed.clone()))
    );
    assert!(
        bus.publish(&kept, "k", msg("c"))
            .await
            .expect("publish")
            .routed
            > 0,
        "the next publish gets a new channel"
    );
    let mut consumer = bus
        .consume(&queue, ConsumeOptions::new("c", 1))
        .await
        .expect("consume");
    assert_eq!(id_of(&next(&mut consumer).await), "c");
    drop(consumer);
    bus.delete_queue(&queue).await.expect("deleted");
    bus.delete_exchange(&kept).await.expect("deleted");
}
