//! A probe queue on the platform's events exchange: what a downstream consumer of
//! a service would receive, read back one event at a time, a counted batch, or
//! whatever has arrived so far.

use std::time::Duration;

use mediaflow_shared::events::platform::{EVENTS_EXCHANGE, base_topology};
use mediaflow_shared::events::{
    ConsumeOptions, Consumer, Delivery, EventBus, EventEnvelope, QueueSpec, Topology,
};

/// A queue bound to the events exchange, consumed by the test, that collects the
/// events a service publishes as `(routing key, envelope)` pairs (acknowledged).
#[derive(Debug)]
pub struct EventProbe {
    queue: String,
    consumer: Box<dyn Consumer>,
    wait: Duration,
}

impl EventProbe {
    /// How long [`EventProbe::next`] waits for an event unless told otherwise.
    pub const WAIT: Duration = Duration::from_secs(2);

    /// Declares a fresh durable queue `queue` bound to the events exchange with
    /// `binding_key` (e.g. `auth.#`), declaring the exchange too, so it can be
    /// bound before or after the service starts; bind it before the events of
    /// interest are published.
    pub async fn bind(bus: &dyn EventBus, queue: &str, binding_key: &str) -> Self {
        base_topology()
            .merge(Topology::new().queue(QueueSpec::durable(queue)).bind(
                queue,
                EVENTS_EXCHANGE,
                binding_key,
            ))
            .declare(bus)
            .await
            .expect("the probe's queue is declared and bound to the events exchange");
        let consumer = bus
            .consume(queue, ConsumeOptions::new(queue, 0))
            .await
            .expect("the probe's consumer attaches");
        Self {
            queue: queue.to_owned(),
            consumer,
            wait: Self::WAIT,
        }
    }

    /// The same probe waiting up to `wait` (instead of [`EventProbe::WAIT`]) for
    /// each event.
    #[must_use]
    pub fn waiting(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// The next event with its routing key, or `None` when none arrives within the
    /// probe's wait.
    pub async fn next(&mut self) -> Option<(String, EventEnvelope)> {
        let delivery = tokio::time::timeout(self.wait, self.consumer.next())
            .await
            .ok()
            .flatten()?;
        Some(self.accept(delivery).await)
    }

    /// The next `n` events, failing the test if fewer arrive (each within the wait).
    pub async fn take(&mut self, n: usize) -> Vec<(String, EventEnvelope)> {
        let mut events = Vec::with_capacity(n);
        for index in 0..n {
            let event = self.next().await.unwrap_or_else(|| {
                panic!(
                    "expected {n} events on {}, only {index} arrived",
                    self.queue
                )
            });
            events.push(event);
        }
        events
    }

    /// The events delivered so far, without waiting.
    pub async fn drain(&mut self) -> Vec<(String, EventEnvelope)> {
        let mut events = Vec::new();
        while let Some(delivery) = self.consumer.try_next() {
            events.push(self.accept(delivery).await);
        }
        events
    }

    /// Decodes and acknowledges one delivery.
    async fn accept(&self, delivery: Delivery) -> (String, EventEnvelope) {
        let key = delivery.routing_key.clone();
        let envelope = EventEnvelope::from_delivery(&delivery).unwrap_or_else(|error| {
            panic!(
                "the event on {} ({key}) must be a valid envelope: {error}",
                self.queue
            )
        });
        delivery.ack().await.expect("the probe acknowledges");
        (key, envelope)
    }
}
