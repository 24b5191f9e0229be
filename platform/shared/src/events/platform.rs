//! The platform's shared exchanges. Every service declares this fragment (declaring
//! is idempotent) merged with its own queues and bindings, before it publishes or
//! consumes, so no event is ever published to an exchange that does not exist.

use super::{ExchangeKind, ExchangeSpec, QueueSpec, Topology};

/// Topic exchange every domain event is published to. Routing keys are
/// `<service>.<entity>.<event>`, e.g. `catalog.video.published`.
pub const EVENTS_EXCHANGE: &str = "mediaflow.events";

/// Fanout exchange receiving messages no consumer could process.
pub const DEAD_LETTER_EXCHANGE: &str = "mediaflow.dlx";

/// Queue collecting dead letters for inspection.
pub const DEAD_LETTER_QUEUE: &str = "mediaflow.dead-letters";

/// Deliveries after which a message goes to the dead-letter exchange.
pub const DELIVERY_LIMIT: u32 = 5;

/// The shared exchanges and the dead-letter queue.
pub fn base_topology() -> Topology {
    Topology::new()
        .exchange(ExchangeSpec::durable(EVENTS_EXCHANGE, ExchangeKind::Topic))
        .exchange(ExchangeSpec::durable(
            DEAD_LETTER_EXCHANGE,
            ExchangeKind::Fanout,
        ))
        .queue(QueueSpec::durable(DEAD_LETTER_QUEUE))
        .bind(DEAD_LETTER_QUEUE, DEAD_LETTER_EXCHANGE, "")
}

/// A consumer queue of the platform: durable, dead-lettering after
/// [`DELIVERY_LIMIT`] deliveries.
pub fn consumer_queue(name: &str) -> QueueSpec {
    QueueSpec::durable(name)
        .dead_letter_to(DEAD_LETTER_EXCHANGE)
        .delivery_limit(DELIVERY_LIMIT)
}
