//! One conformance suite for the event bus, run on every backend: each test is
//! written once against a [`Backend`] (an `Arc<dyn EventBus>` and the names it
//! declared) and instantiated twice by `conformance!`, as `memory::<name>` (the
//! embedded broker, always) and `rabbitmq::<name>`.
//!
//! A real broker delivers asynchronously, so tests wait for deliveries (bounded,
//! [`WAIT`]) instead of polling once, read counts until they settle, and check
//! that nothing *more* arrives by waiting a quiet window (`Backend::quiet`, short
//! on the embedded broker): a bus that delivers too much fails such a check, one
//! that behaves passes it every time. Where the backends genuinely differ, tests
//! assert only what both can report: `PublishOutcome::routed` is 0 or more than 0
//! (AMQP does not count queues), and `QueueStats::unacked` counts what this bus's
//! own consumers hold.
//!
//! The RabbitMQ instances need a broker: set `MEDIAFLOW_TEST_AMQP_URL`
//! (`infrastructure/local/rabbitmq.sh start` prints one; CI sets it). Without it
//! they print "skipped: MEDIAFLOW_TEST_AMQP_URL not set" and pass. Each RabbitMQ
//! test declares names of its own (process id and test name) and deletes them when
//! it passes, so tests run in parallel on one broker.

#[path = "bus_conformance/delivery.rs"]
mod delivery;
#[path = "bus_conformance/rabbitmq_only.rs"]
mod rabbitmq_only;
#[path = "bus_conformance/routing.rs"]
mod routing;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mediaflow_shared::config::Env;
use mediaflow_shared::events::{
    AmqpSettings, ConsumeOptions, Consumer, Delivery, EventBus, ExchangeKind, ExchangeSpec,
    InMemoryBroker, Message, QueueSpec, QueueStats, RabbitBus,
};

/// The variable naming the throwaway RabbitMQ broker of the suite.
pub(super) const AMQP_URL_VAR: &str = "MEDIAFLOW_TEST_AMQP_URL";

/// How long a delivery or a count may take to arrive before the test fails.
const WAIT: Duration = Duration::from_secs(10);

/// A bus under test, and what the test declared on it.
pub(super) struct Backend {
    pub(super) bus: Arc<dyn EventBus>,
    /// The RabbitMQ bus itself, for cleanup; `None` on the embedded broker.
    rabbit: Option<RabbitBus>,
    /// Prepended to every name the test declares.
    prefix: String,
    /// How long to wait for a delivery that must not come.
    pub(super) quiet: Duration,
    declared: Mutex<Declared>,
}

#[derive(Default)]
struct Declared {
    exchanges: Vec<String>,
    queues: Vec<String>,
}

impl Backend {
    fn memory() -> Self {
        Self {
            bus: Arc::new(InMemoryBroker::new()),
            rabbit: None,
            prefix: String::new(),
            quiet: Duration::from_millis(20),
            declared: Mutex::new(Declared::default()),
        }
    }

    /// A RabbitMQ bus with names private to one test, or `None` without a broker.
    fn rabbitmq(test: &str) -> Option<Self> {
        let env = Env::from_process();
        let url = env.raw(AMQP_URL_VAR)?;
        let settings =
            AmqpSettings::from_url(url).unwrap_or_else(|e| panic!("{AMQP_URL_VAR} must be {e}"));
        let bus = RabbitBus::new(settings);
        Some(Self {
            bus: Arc::new(bus.clone()),
            rabbit: Some(bus),
            prefix: format!("test.{}.{test}.", std::process::id()),
            quiet: Duration::from_millis(300),
            declared: Mutex::new(Declared::default()),
        })
    }

    /// Deletes what the test declared (RabbitMQ; the embedded broker just goes away).
    async fn cleanup(&self) {
        let Some(rabbit) = &self.rabbit else {
            return;
        };
        let declared = std::mem::take(&mut *self.declared.lock().expect("not poisoned"));
        for queue in declared.queues {
            rabbit.delete_queue(&queue).await.expect("queue deleted");
        }
        for exchange in declared.exchanges {
            rabbit
                .delete_exchange(&exchange)
                .await
                .expect("exchange deleted");
        }
    }

    /// The test's full name for `short`.
    pub(super) fn name(&self, short: &str) -> String {
        format!("{}{short}", self.prefix)
    }

    /// Declares a durable exchange; returns its full name.
    pub(super) async fn exchange(&self, short: &str, kind: ExchangeKind) -> String {
        let name = self.name(short);
        let spec = ExchangeSpec::durable(name.clone(), kind);
        self.bus
            .declare_exchange(&spec)
            .await
            .expect("declaring a fresh exchange succeeds");
        self.declared
            .lock()
            .expect("not poisoned")
            .exchanges
            .push(name.clone());
        name
    }

    /// Declares `spec` under the test's name for `spec.name`; returns the full name.
    pub(super) async fn queue(&self, mut spec: QueueSpec) -> String {
        spec.name = self.name(&spec.name);
        if let Some(dlx) = spec.dead_letter_exchange.take() {
            spec.dead_letter_exchange = Some(self.name(&dlx));
        }
        self.bus
            .declare_queue(&spec)
            .await
            .expect("declaring a fresh queue succeeds");
        self.declared
            .lock()
            .expect("not poisoned")
            .queues
            .push(spec.name.clone());
        spec.name
    }

    pub(super) async fn bind(&self, queue: &str, exchange: &str, key: &str) {
        self.bus
            .bind_queue(queue, exchange, key)
            .await
            .expect("binding a declared queue and exchange succeeds");
    }

    /// Publishes a JSON message with id `id`; returns `routed`.
    pub(super) async fn publish(&self, exchange: &str, key: &str, id: &str) -> usize {
        self.bus
            .publish(exchange, key, msg(id))
            .await
            .expect("publishing to a declared exchange succeeds")
            .routed
    }

    pub(super) async fn consume(&self, queue: &str, prefetch: u16) -> Box<dyn Consumer> {
        self.bus
            .consume(queue, ConsumeOptions::new("conformance", prefetch))
            .await
            .expect("consuming a declared queue succeeds")
    }

    /// Fails when `consumer` receives anything within the quiet window.
    pub(super) async fn nothing_more(&self, consumer: &mut Box<dyn Consumer>, why: &str) {
        if let Ok(Some(delivery)) = tokio::time::timeout(self.quiet, consumer.next()).await {
            panic!("{why}, yet {} was delivered", id_of(&delivery));
        }
    }

    /// Waits until the queue's counts are `expected` (counts on a real broker
    /// settle a moment after the operation that changed them).
    pub(super) async fn stats_become(&self, queue: &str, expected: QueueStats, what: &str) {
        let started = Instant::now();
        loop {
            let stats = self
                .bus
                .queue_stats(queue)
                .await
                .expect("queue is declared");
            if stats == expected {
                return;
            }
            assert!(
                started.elapsed() < WAIT,
                "{what}: expected {expected:?}, still {stats:?} after {WAIT:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Takes `n` deliveries from `queue`, acks them, and returns their ids.
    pub(super) async fn drain(&self, queue: &str, n: usize) -> BTreeSet<String> {
        let mut consumer = self.consume(queue, 0).await;
        let mut ids = BTreeSet::new();
        for _ in 0..n {
            let delivery = next(&mut consumer).await;
            ids.insert(id_of(&delivery));
            delivery.ack().await.expect("ack");
        }
        ids
    }
}

pub(super) fn msg(id: &str) -> Message {
    Message::json(id, format!("{{\"id\":\"{id}\"}}").into_bytes())
}

pub(super) fn id_of(delivery: &Delivery) -> String {
    delivery.message.message_id.clone().unwrap_or_default()
}

/// Expected queue counts: ready, unacked, consumers.
pub(super) fn counts(ready: usize, unacked: usize, consumers: usize) -> QueueStats {
    QueueStats {
        ready,
        unacked,
        consumers,
    }
}

/// The next delivery, waiting at most [`WAIT`].
pub(super) async fn next(consumer: &mut Box<dyn Consumer>) -> Delivery {
    tokio::time::timeout(WAIT, consumer.next())
        .await
        .unwrap_or_else(|_| panic!("no delivery within {WAIT:?}"))
        .expect("the bus is running")
}

/// Instantiates each listed test for both backends.
macro_rules! conformance {
    ($($module:ident :: $name:ident),+ $(,)?) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$module::$name(&super::Backend::memory()).await;
                }
            )+
        }

        mod rabbitmq {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(backend) = super::Backend::rabbitmq(stringify!($name)) else {
                        eprintln!("skipped: {} not set", super::AMQP_URL_VAR);
                        return;
                    };
                    super::$module::$name(&backend).await;
                    backend.cleanup().await;
                }
            )+
        }
    };
}

conformance!(
    routing::direct_exchanges_route_by_exact_key_and_fanout_ignores_it,
    routing::topic_stars_match_one_word_and_hashes_zero_or_more,
    routing::a_message_no_queue_matches_is_unroutable,
    routing::redeclaring_with_other_settings_is_a_precondition_failure,
    routing::undeclared_exchanges_and_queues_are_not_found,
    routing::reserved_and_empty_names_are_invalid,
    routing::a_failed_publish_does_not_fail_the_publishes_beside_it,
    delivery::an_acked_message_is_gone_for_good,
    delivery::a_nacked_message_comes_back_marked_redelivered_and_counted,
    delivery::a_rejected_message_is_dead_lettered_with_its_death_headers,
    delivery::a_message_at_its_delivery_limit_is_dead_lettered,
    delivery::prefetch_limits_the_unacked_deliveries_of_a_consumer,
    delivery::dropping_a_consumer_requeues_what_it_held,
    delivery::two_consumers_of_one_queue_share_its_messages,
    delivery::headers_message_id_and_content_type_arrive_as_published,
    delivery::queue_stats_count_ready_messages_held_deliveries_and_consumers,
);
