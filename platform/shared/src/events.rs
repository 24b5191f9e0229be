//! Events: the envelope, the bus contract and its embedded broker, topology
//! declaration, idempotent consumers, upcasting, and the transactional outbox.

mod bus;
mod envelope;
pub mod outbox;

pub use bus::{
    Acker, BusError, ConsumeOptions, Consumer, Delivery, EventBus, ExchangeKind, ExchangeSpec,
    Message, PublishOutcome, QueueSpec, QueueStats,
};
pub use envelope::{EnvelopeError, EventEnvelope, EventId};
