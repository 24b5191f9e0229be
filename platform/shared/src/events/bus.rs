//! The event bus contract, with AMQP 0-9-1 semantics so the embedded broker and
//! RabbitMQ are interchangeable: exchanges route to queues through bindings,
//! consumers ack, nack or reject each delivery, and a queue can dead-letter.

use std::collections::BTreeMap;
use std::fmt;

use async_trait::async_trait;
use thiserror::Error;

/// How an exchange matches a message's routing key against binding keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExchangeKind {
    /// Exact match of routing key and binding key.
    Direct,
    /// Dot-separated words; `*` matches one word, `#` zero or more.
    Topic,
    /// Every bound queue, routing key ignored.
    Fanout,
}

/// Declaration of an exchange. Re-declaring with other settings is an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeSpec {
    /// Exchange name; the empty name is the default exchange and cannot be declared.
    pub name: String,
    /// Routing behaviour.
    pub kind: ExchangeKind,
    /// Survives a broker restart (recorded; the embedded broker lives in memory).
    pub durable: bool,
}

impl ExchangeSpec {
    /// A durable exchange of the given kind.
    pub fn durable(name: impl Into<String>, kind: ExchangeKind) -> Self {
        Self {
            name: name.into(),
            kind,
            durable: true,
        }
    }
}

/// Declaration of a queue. Re-declaring with other settings is an error.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct QueueSpec {
    /// Queue name; also its routing key on the default exchange.
    pub name: String,
    /// Survives a broker restart.
    pub durable: bool,
    /// Where rejected, expired-by-delivery-limit messages go (`x-dead-letter-exchange`).
    pub dead_letter_exchange: Option<String>,
    /// Routing key used when dead-lettering; the original key when `None`.
    pub dead_letter_routing_key: Option<String>,
    /// After this many deliveries a requeued message is dead-lettered instead
    /// (`x-delivery-limit`); unlimited when `None`.
    pub delivery_limit: Option<u32>,
}

impl QueueSpec {
    /// A durable queue without dead-lettering.
    pub fn durable(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            durable: true,
            ..Self::default()
        }
    }

    /// Dead-letters to `exchange` (with the original routing key unless overridden).
    #[must_use]
    pub fn dead_letter_to(mut self, exchange: impl Into<String>) -> Self {
        self.dead_letter_exchange = Some(exchange.into());
        self
    }

    /// Routing key for dead-lettered messages.
    #[must_use]
    pub fn dead_letter_routing_key(mut self, key: impl Into<String>) -> Self {
        self.dead_letter_routing_key = Some(key.into());
        self
    }

    /// Dead-letter a message once it has been delivered `limit` times.
    #[must_use]
    pub fn delivery_limit(mut self, limit: u32) -> Self {
        self.delivery_limit = Some(limit);
        self
    }
}

/// A message as published: an opaque body plus AMQP-style properties.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// Payload bytes (JSON for events).
    pub body: Vec<u8>,
    /// Application headers.
    pub headers: BTreeMap<String, String>,
    /// Producer-assigned id, used by idempotent consumers.
    pub message_id: Option<String>,
    /// MIME type of the body.
    pub content_type: Option<String>,
}

impl Message {
    /// A JSON message with the given id.
    pub fn json(message_id: impl Into<String>, body: Vec<u8>) -> Self {
        Self {
            body,
            headers: BTreeMap::new(),
            message_id: Some(message_id.into()),
            content_type: Some("application/json".to_owned()),
        }
    }

    /// Adds a header.
    #[must_use]
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.insert(name.into(), value.into());
        self
    }
}

/// What a publish did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublishOutcome {
    /// Number of queues the message was routed to; 0 means unroutable (dropped,
    /// as AMQP does without the mandatory flag).
    pub routed: usize,
}

/// Options of a consumer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConsumeOptions {
    /// Maximum unacknowledged deliveries held by this consumer; 0 = unlimited.
    pub prefetch: u16,
    /// Name shown in diagnostics.
    pub tag: String,
}

impl ConsumeOptions {
    /// A consumer with the given tag and prefetch.
    pub fn new(tag: impl Into<String>, prefetch: u16) -> Self {
        Self {
            prefetch,
            tag: tag.into(),
        }
    }
}

/// Ready and unacknowledged message counts of a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueueStats {
    /// Messages waiting for a consumer.
    pub ready: usize,
    /// Messages delivered and not yet acked, nacked or rejected.
    pub unacked: usize,
    /// Consumers attached.
    pub consumers: usize,
}

/// Errors of the bus, named after the AMQP conditions they mirror.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum BusError {
    /// Publishing or binding to an exchange nobody declared (AMQP 404).
    #[error("exchange `{0}` is not declared; declare the topology before publishing or binding")]
    ExchangeNotFound(String),
    /// Binding or consuming a queue nobody declared (AMQP 404).
    #[error("queue `{0}` is not declared; declare the topology before binding or consuming")]
    QueueNotFound(String),
    /// A re-declaration that differs from the existing one (AMQP 406).
    #[error("`{name}` is already declared with other settings: {reason}")]
    PreconditionFailed {
        /// The exchange or queue.
        name: String,
        /// What differs.
        reason: String,
    },
    /// The name is not allowed (empty, reserved `amq.` prefix).
    #[error("invalid name `{0}`: names must be non-empty and must not start with `amq.`")]
    InvalidName(String),
    /// The delivery was already settled.
    #[error("delivery {0} was already acknowledged or rejected")]
    AlreadySettled(u64),
    /// The broker is unreachable or refused the operation.
    #[error("event bus unavailable: {0}")]
    Unavailable(String),
}

/// Settles one delivery with the broker that made it.
#[async_trait]
pub trait Acker: Send + Sync + fmt::Debug {
    /// Positive acknowledgement: the message is done.
    async fn ack(&self) -> Result<(), BusError>;
    /// Negative acknowledgement: requeue (redelivered later) or dead-letter/drop.
    async fn nack(&self, requeue: bool) -> Result<(), BusError>;
}

/// One message handed to a consumer.
#[derive(Debug)]
pub struct Delivery {
    /// Exchange it was published to.
    pub exchange: String,
    /// Routing key it was published with.
    pub routing_key: String,
    /// The message.
    pub message: Message,
    /// True when an earlier delivery of this message was not acknowledged.
    pub redelivered: bool,
    /// How many times this message has been delivered, this one included.
    pub delivery_count: u32,
    /// Broker-assigned tag.
    pub delivery_tag: u64,
    acker: Box<dyn Acker>,
}

impl Delivery {
    /// Builds a delivery; used by bus implementations.
    pub fn new(
        exchange: String,
        routing_key: String,
        message: Message,
        redelivered: bool,
        delivery_count: u32,
        delivery_tag: u64,
        acker: Box<dyn Acker>,
    ) -> Self {
        Self {
            exchange,
            routing_key,
            message,
            redelivered,
            delivery_count,
            delivery_tag,
            acker,
        }
    }

    /// Acknowledges the delivery.
    pub async fn ack(self) -> Result<(), BusError> {
        self.acker.ack().await
    }

    /// Negatively acknowledges; `requeue = false` dead-letters (or drops).
    pub async fn nack(self, requeue: bool) -> Result<(), BusError> {
        self.acker.nack(requeue).await
    }

    /// Rejects; same effect as `nack` for a single delivery.
    pub async fn reject(self, requeue: bool) -> Result<(), BusError> {
        self.acker.nack(requeue).await
    }
}

/// A subscription to one queue. Dropping it returns unacked deliveries to the queue
/// (marked redelivered), as closing an AMQP channel does.
#[async_trait]
pub trait Consumer: Send + fmt::Debug {
    /// Waits for the next delivery; `None` when the bus shut down.
    async fn next(&mut self) -> Option<Delivery>;
    /// A delivery that is available right now, if any (respects prefetch).
    fn try_next(&mut self) -> Option<Delivery>;
}

/// The event bus: declare topology, publish, consume.
#[async_trait]
pub trait EventBus: Send + Sync + fmt::Debug {
    /// Declares an exchange (idempotent for identical settings).
    async fn declare_exchange(&self, spec: &ExchangeSpec) -> Result<(), BusError>;
    /// Declares a queue (idempotent for identical settings).
    async fn declare_queue(&self, spec: &QueueSpec) -> Result<(), BusError>;
    /// Binds a queue to an exchange with a binding key (idempotent).
    async fn bind_queue(
        &self,
        queue: &str,
        exchange: &str,
        binding_key: &str,
    ) -> Result<(), BusError>;
    /// Publishes; `""` is the default exchange, routing to the queue named by the key.
    async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        message: Message,
    ) -> Result<PublishOutcome, BusError>;
    /// Starts consuming a queue.
    async fn consume(
        &self,
        queue: &str,
        options: ConsumeOptions,
    ) -> Result<Box<dyn Consumer>, BusError>;
    /// Counts of a queue.
    async fn queue_stats(&self, queue: &str) -> Result<QueueStats, BusError>;
}
