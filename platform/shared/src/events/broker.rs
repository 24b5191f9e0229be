//! The embedded event bus: an in-process broker with RabbitMQ's semantics (default,
//! direct, topic and fanout exchanges; prefetch; requeue at the front; delivery
//! limits and dead-lettering), so services and tests run without a real broker and
//! behave as they would against one.

mod consumer;
mod delivery;
mod routing;
mod state;

use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::Notify;

use self::consumer::BrokerConsumer;
pub use self::delivery::{
    DEATH_COUNT_HEADER, DEATH_EXCHANGE_HEADER, DEATH_QUEUE_HEADER, DEATH_REASON_HEADER,
};
pub(crate) use self::routing::validate_name;
use self::state::Shared;
use crate::events::{
    BusError, ConsumeOptions, Consumer, EventBus, ExchangeSpec, Message, PublishOutcome, QueueSpec,
    QueueStats,
};

/// Work the broker has done since it started, as plain counters: performance tests
/// count messages with it instead of measuring time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BrokerMetrics {
    /// Publishes accepted (to a declared exchange or the default exchange).
    pub published: u64,
    /// Queue copies made by publishes: a fanout to three queues adds three.
    pub routed: u64,
    /// Publishes that matched no queue and were discarded.
    pub unroutable: u64,
    /// Deliveries handed to consumers, redeliveries included.
    pub delivered: u64,
    /// Deliveries acknowledged.
    pub acked: u64,
    /// Messages put back at the front of their queue (nack/reject with requeue,
    /// or a consumer going away with the message unsettled).
    pub requeued: u64,
    /// Messages re-published to a dead-letter exchange that routed them.
    pub dead_lettered: u64,
    /// Messages discarded on settlement: rejected without a dead-letter exchange,
    /// or whose dead-letter exchange is undeclared or routes nowhere.
    pub dropped: u64,
}

/// The in-process broker. Clones share one broker; hand it out as
/// `Arc<dyn EventBus>`.
///
/// All state sits behind one `std::sync::Mutex` that is never held across an
/// `.await`; consumers wait on their own `Notify`, woken when the broker assigns
/// them a delivery.
#[derive(Debug, Clone, Default)]
pub struct InMemoryBroker {
    shared: Arc<Shared>,
}

impl InMemoryBroker {
    /// An empty broker: only the default exchange exists.
    pub fn new() -> Self {
        Self::default()
    }

    /// The work counters so far.
    pub fn metrics(&self) -> BrokerMetrics {
        self.shared.lock().metrics
    }

    /// Stops the broker, as a process shutdown would: every consumer's `next`
    /// returns `None`, and declaring, publishing and consuming fail with
    /// [`BusError::Unavailable`]. Settling deliveries already handed out still
    /// works, so in-flight handlers can finish cleanly.
    pub fn shutdown(&self) {
        self.shared.lock().stop();
    }

    /// Whether [`Self::shutdown`] was called.
    pub fn is_shut_down(&self) -> bool {
        self.shared.lock().shut_down
    }
}

#[async_trait]
impl EventBus for InMemoryBroker {
    async fn declare_exchange(&self, spec: &ExchangeSpec) -> Result<(), BusError> {
        self.shared.lock().declare_exchange(spec)
    }

    async fn declare_queue(&self, spec: &QueueSpec) -> Result<(), BusError> {
        self.shared.lock().declare_queue(spec)
    }

    async fn bind_queue(
        &self,
        queue: &str,
        exchange: &str,
        binding_key: &str,
    ) -> Result<(), BusError> {
        self.shared.lock().bind(queue, exchange, binding_key)
    }

    async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        message: Message,
    ) -> Result<PublishOutcome, BusError> {
        let routed = self.shared.lock().publish(exchange, routing_key, message)?;
        Ok(PublishOutcome { routed })
    }

    async fn consume(
        &self,
        queue: &str,
        options: ConsumeOptions,
    ) -> Result<Box<dyn Consumer>, BusError> {
        let notify = Arc::new(Notify::new());
        let id = self
            .shared
            .lock()
            .add_consumer(queue, options.prefetch, Arc::clone(&notify))?;
        Ok(Box::new(BrokerConsumer::new(
            Arc::clone(&self.shared),
            queue.to_owned(),
            id,
            options.tag,
            notify,
        )))
    }

    async fn queue_stats(&self, queue: &str) -> Result<QueueStats, BusError> {
        self.shared.lock().queue_stats(queue)
    }
}
