//! Events: the envelope, the bus contract, its embedded broker and RabbitMQ, topology
//! declaration, idempotent consumers, upcasting, and the transactional outbox.

mod broker;
mod bus;
mod envelope;
pub mod idempotency;
pub mod outbox;
pub mod platform;
mod rabbit;
mod topology;
pub mod upcast;

pub use broker::{
    BrokerMetrics, DEATH_COUNT_HEADER, DEATH_EXCHANGE_HEADER, DEATH_QUEUE_HEADER,
    DEATH_REASON_HEADER, InMemoryBroker,
};
pub use bus::{
    Acker, BusError, ConsumeOptions, Consumer, Delivery, EventBus, ExchangeKind, ExchangeSpec,
    Message, PublishOutcome, QueueSpec, QueueStats,
};
pub use envelope::{EnvelopeError, EventEnvelope, EventId};
pub use rabbit::{AMQP_URL_VAR, AmqpSettings, RabbitBus};
pub use topology::{Binding, Topology, TopologyError};
