//! A probe queue on the events exchange that collects the billing service's events.

use std::time::Duration;

use mediaflow_shared::events::platform::EVENTS_EXCHANGE;
use mediaflow_shared::events::{ConsumeOptions, Consumer, EventBus, EventEnvelope, QueueSpec};

/// A queue bound to the events exchange that collects billing events.
#[derive(Debug)]
pub struct EventProbe {
    consumer: Box<dyn Consumer>,
}

impl EventProbe {
    /// Binds a fresh queue `name` with `binding_key` (e.g. `billing.#`). Bind it
    /// after the service started (its topology declares the exchange).
    pub async fn bind(bus: &dyn EventBus, name: &str, binding_key: &str) -> Self {
        bus.declare_queue(&QueueSpec::durable(name))
            .await
            .expect("probe queue declared");
        bus.bind_queue(name, EVENTS_EXCHANGE, binding_key)
            .await
            .expect("probe queue bound to the events exchange");
        let consumer = bus
            .consume(name, ConsumeOptions::new("billing-probe", 0))
            .await
            .expect("probe consumer attached");
        Self { consumer }
    }

    /// The next event with its routing key, waiting at most two seconds.
    pub async fn next(&mut self) -> Option<(String, EventEnvelope)> {
        let delivery = tokio::time::timeout(Duration::from_secs(2), self.consumer.next())
            .await
            .ok()
            .flatten()?;
        let key = delivery.routing_key.clone();
        let envelope =
            EventEnvelope::from_delivery(&delivery).expect("billing publishes valid envelopes");
        delivery.ack().await.expect("ack");
        Some((key, envelope))
    }

    /// The next `n` events, failing the test if fewer arrive within the bound.
    pub async fn take(&mut self, n: usize) -> Vec<(String, EventEnvelope)> {
        let mut events = Vec::with_capacity(n);
        for index in 0..n {
            let event = self.next().await;
            events
                .push(event.unwrap_or_else(|| {
                    panic!("expected {n} billing events, only {index} arrived")
                }));
        }
        events
    }

    /// The events delivered so far, without waiting.
    pub async fn drain(&mut self) -> Vec<(String, EventEnvelope)> {
        let mut events = Vec::new();
        while let Some(delivery) = self.consumer.try_next() {
            let key = delivery.routing_key.clone();
            let envelope =
                EventEnvelope::from_delivery(&delivery).expect("billing publishes valid envelopes");
            delivery.ack().await.expect("ack");
            events.push((key, envelope));
        }
        events
    }
}
