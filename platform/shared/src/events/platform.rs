//! The platform's shared exchanges. Every service declares this fragment (declaring
//! is idempotent) merged with its own queues and bindings, before it publishes or
//! consumes, so no event is ever published to an exchange that does not exist.

use std::cell::RefCell;

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

thread_local! {
    /// The base fragment, built and validated on a thread's first use, then cloned:
    /// every service start and every probe or tool declaring a queue merges it.
    static BASE: RefCell<Option<Topology>> = const { RefCell::new(None) };
}

/// The shared exchanges and the dead-letter queue.
///
/// # Panics
///
/// When the fragment does not validate on its own: a mistake in this module, which
/// must stop every service at its first start rather than declare half of it.
pub fn base_topology() -> Topology {
    BASE.with_borrow_mut(|base| base.get_or_insert_with(build_base).clone())
}

fn build_base() -> Topology {
    let base = Topology::new()
        .exchange(ExchangeSpec::durable(EVENTS_EXCHANGE, ExchangeKind::Topic))
        .exchange(ExchangeSpec::durable(
            DEAD_LETTER_EXCHANGE,
            ExchangeKind::Fanout,
        ))
        .merge(dead_letter_queue());
    if let Err(error) = base.validate() {
        panic!("the platform's base topology is inconsistent: {error}");
    }
    base
}

/// The queue collecting dead letters, bound to the dead-letter exchange.
fn dead_letter_queue() -> Topology {
    Topology::new()
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
