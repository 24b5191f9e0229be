//! [`EventBus`] on RabbitMQ: declarations on short-lived channels (a refused one
//! closes its channel, so none is reused), publishes on one publisher-confirm
//! channel with the `mandatory` flag, consumers on a channel each.
//!
//! How the embedded semantics map onto RabbitMQ's:
//! - A durable queue is a **quorum queue**: only quorum queues count deliveries
//!   (`x-delivery-count`) and enforce `x-delivery-limit`, and like the embedded
//!   broker they count a consumer going away against the limit and serve returned
//!   messages first. A quorum queue dead-letters once a message has *failed* more
//!   than `x-delivery-limit` times, the embedded broker once it has been
//!   *delivered* `delivery_limit` times, so the argument sent is `limit - 1`.
//! - Unlike the embedded broker (and a classic queue), a RabbitMQ 3.x quorum queue
//!   puts a message nacked with requeue at the *back* of the queue, not the front;
//!   consumers must not rely on redelivery order (the conformance suite does not).
//! - A non-durable queue is a classic queue (quorum queues are always durable): it
//!   keeps no delivery count, so a delivery limit on it is refused.
//! - A publish to an exchange this bus has not seen yet is preceded by a passive
//!   declaration on a short-lived channel: a missing exchange is then
//!   `ExchangeNotFound` without closing the shared publishing channel, whose
//!   in-flight publishes would otherwise fail with an unknown outcome. Should that
//!   still happen (an exchange deleted behind the bus's back), those publishes are
//!   retried on a new channel, so a message may then arrive twice (at least once,
//!   as consumers of AMQP must expect anyway).
//! - `PublishOutcome::routed` is 1 when the broker routed the message to at least
//!   one queue and 0 when it returned it as unroutable: AMQP does not say how many
//!   queues took a message.
//! - The broker's own `amq.*` exchanges exist on RabbitMQ (publishing to one is
//!   routed or unroutable); on the embedded broker they are undeclared.
//! - `QueueStats::unacked` counts deliveries held by this bus's own consumers: AMQP
//!   reports ready messages and consumers only (unacked needs the management API).

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use lapin::Confirmation;
use lapin::options::{
    BasicPublishOptions, ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions,
    QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString};

use super::consumer::{Held, RabbitConsumer};
use super::convert::properties;
use super::link::{Failure, Link, code, refusal, short};
use super::settings::AmqpSettings;
use crate::events::broker::validate_name;
use crate::events::{
    BusError, ConsumeOptions, Consumer, EventBus, ExchangeKind, ExchangeSpec, Message,
    PublishOutcome, QueueSpec, QueueStats,
};

/// Publishes retried when the shared channel was closed under them by another
/// publish's error (nothing of ours reached the broker then).
const PUBLISH_ATTEMPTS: usize = 3;

/// The event bus on a RabbitMQ broker. Clones share the connection.
#[derive(Clone)]
pub struct RabbitBus {
    link: Arc<Link>,
    held: Arc<Held>,
    /// Exchanges known to exist: declared or checked by this bus.
    known: Arc<Mutex<HashSet<String>>>,
}

impl fmt::Debug for RabbitBus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RabbitBus")
            .field("url", &self.link.redacted_url())
            .finish_non_exhaustive()
    }
}

fn lapin_kind(kind: ExchangeKind) -> lapin::ExchangeKind {
    match kind {
        ExchangeKind::Direct => lapin::ExchangeKind::Direct,
        ExchangeKind::Topic => lapin::ExchangeKind::Topic,
        ExchangeKind::Fanout => lapin::ExchangeKind::Fanout,
    }
}

fn long_string(text: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(text.as_bytes().to_vec()))
}

/// The queue's declaration arguments (see the module docs for the mapping).
fn queue_arguments(spec: &QueueSpec) -> Result<FieldTable, BusError> {
    let mut arguments = FieldTable::default();
    if spec.durable {
        arguments.insert(short("x-queue-type")?, long_string("quorum"));
    } else if spec.delivery_limit.is_some() {
        return Err(BusError::PreconditionFailed {
            name: spec.name.clone(),
            reason: "x-delivery-limit needs a durable queue: RabbitMQ counts deliveries only \
                     in quorum queues, which are always durable"
                .to_owned(),
        });
    }
    if let Some(exchange) = &spec.dead_letter_exchange {
        arguments.insert(short("x-dead-letter-exchange")?, long_string(exchange));
    }
    if let Some(key) = &spec.dead_letter_routing_key {
        arguments.insert(short("x-dead-letter-routing-key")?, long_string(key));
    }
    if let Some(limit) = spec.delivery_limit {
        let failures_allowed = i64::from(limit.saturating_sub(1));
        arguments.insert(
            short("x-delivery-limit")?,
            AMQPValue::LongLongInt(failures_allowed),
        );
    }
    Ok(arguments)
}

impl RabbitBus {
    /// A bus on the broker of `settings`; connects on first use.
    pub fn new(settings: AmqpSettings) -> Self {
        Self {
            link: Arc::new(Link::new(settings)),
            held: Arc::new(Held::default()),
            known: Arc::new(Mutex::new(HashSet::new())),
        }
    }

    fn known(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Makes sure `exchange` exists before a publish goes to it on the shared
    /// channel (see the module docs): a passive declaration on a channel of its own.
    async fn check_exchange(&self, exchange: &str) -> Result<(), BusError> {
        if exchange.is_empty() || self.known().contains(exchange) {
            return Ok(());
        }
        let channel = self.link.channel().await?;
        let options = ExchangeDeclareOptions {
            passive: true,
            ..ExchangeDeclareOptions::default()
        };
        let checked = channel.exchange_declare(
            short(exchange)?,
            lapin::ExchangeKind::Direct,
            options,
            FieldTable::default(),
        );
        self.link
            .bounded("check exchange", checked)
            .await
            .map_err(|failure| self.declare_error(failure, exchange, "", exchange))?;
        self.known().insert(exchange.to_owned());
        Ok(())
    }

    /// The broker's URL with the password redacted.
    pub fn redacted_url(&self) -> &str {
        self.link.redacted_url()
    }

    /// The error of a failed declaration, binding or lookup.
    fn declare_error(&self, failure: Failure, exchange: &str, queue: &str, name: &str) -> BusError {
        match failure {
            Failure::Refused(error) => refusal(&error, exchange, queue, name),
            Failure::ChannelClosed => self.link.unavailable("declare", "the channel closed"),
            Failure::Unavailable(message) => BusError::Unavailable(message),
        }
    }

    /// Deletes a queue and the messages in it (absent: no error). Tests clean up with it.
    pub async fn delete_queue(&self, name: &str) -> Result<(), BusError> {
        let channel = self.link.channel().await?;
        let deleted = channel.queue_delete(short(name)?, QueueDeleteOptions::default());
        self.link
            .bounded("delete queue", deleted)
            .await
            .map(|_| ())
            .map_err(|failure| self.declare_error(failure, "", name, name))
    }

    /// Deletes an exchange and its bindings (absent: no error).
    pub async fn delete_exchange(&self, name: &str) -> Result<(), BusError> {
        let channel = self.link.channel().await?;
        self.known().remove(name);
        let deleted = channel.exchange_delete(short(name)?, ExchangeDeleteOptions::default());
        self.link
            .bounded("delete exchange", deleted)
            .await
            .map_err(|failure| self.declare_error(failure, name, "", name))
    }
}

#[async_trait]
impl EventBus for RabbitBus {
    async fn declare_exchange(&self, spec: &ExchangeSpec) -> Result<(), BusError> {
        validate_name(&spec.name)?;
        let name = short(&spec.name)?;
        let channel = self.link.channel().await?;
        let options = ExchangeDeclareOptions {
            durable: spec.durable,
            ..ExchangeDeclareOptions::default()
        };
        let declared =
            channel.exchange_declare(name, lapin_kind(spec.kind), options, FieldTable::default());
        self.link
            .bounded("declare exchange", declared)
            .await
            .map_err(|failure| self.declare_error(failure, &spec.name, "", &spec.name))?;
        self.known().insert(spec.name.clone());
        Ok(())
    }

    async fn declare_queue(&self, spec: &QueueSpec) -> Result<(), BusError> {
        validate_name(&spec.name)?;
        let name = short(&spec.name)?;
        let arguments = queue_arguments(spec)?;
        let channel = self.link.channel().await?;
        let options = QueueDeclareOptions {
            durable: spec.durable,
            ..QueueDeclareOptions::default()
        };
        let declared = channel.queue_declare(name, options, arguments);
        self.link
            .bounded("declare queue", declared)
            .await
            .map(|_| ())
            .map_err(|failure| self.declare_error(failure, "", &spec.name, &spec.name))
    }

    async fn bind_queue(
        &self,
        queue: &str,
        exchange: &str,
        binding_key: &str,
    ) -> Result<(), BusError> {
        if exchange.is_empty() {
            // Every queue is implicitly bound to the default exchange by its name.
            return Err(BusError::InvalidName(String::new()));
        }
        let (queue_name, exchange_name) = (short(queue)?, short(exchange)?);
        let key = short(binding_key)?;
        let channel = self.link.channel().await?;
        let bound = channel.queue_bind(
            queue_name,
            exchange_name,
            key,
            QueueBindOptions::default(),
            FieldTable::default(),
        );
        self.link
            .bounded("bind", bound)
            .await
            .map_err(|failure| self.declare_error(failure, exchange, queue, queue))
    }

    async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        message: Message,
    ) -> Result<PublishOutcome, BusError> {
        let properties = properties(&message)?;
        let (exchange_name, key) = (short(exchange)?, short(routing_key)?);
        self.check_exchange(exchange).await?;
        let ours = format!("no exchange '{exchange}'");
        let options = BasicPublishOptions {
            mandatory: true,
            immediate: false,
        };
        let mut last = String::new();
        for _ in 0..PUBLISH_ATTEMPTS {
            let channel = self.link.publisher().await?;
            let confirmed = self
                .link
                .bounded("publish", async {
                    channel
                        .basic_publish(
                            exchange_name.clone(),
                            key.clone(),
                            options,
                            &message.body,
                            properties.clone(),
                        )
                        .await?
                        .await
                })
                .await;
            match confirmed {
                Ok(Confirmation::Ack(None)) => return Ok(PublishOutcome { routed: 1 }),
                Ok(Confirmation::Ack(Some(_returned))) => return Ok(PublishOutcome { routed: 0 }),
                Ok(Confirmation::Nack(_) | Confirmation::NotRequested) => {
                    return Err(self
                        .link
                        .unavailable("publish", "the broker did not confirm the message"));
                }
                Err(Failure::Refused(error))
                    if code(&error) == 404 && error.get_message().as_str().contains(&ours) =>
                {
                    self.known().remove(exchange);
                    return Err(BusError::ExchangeNotFound(exchange.to_owned()));
                }
                // Another publish's error closed the shared channel: ours never got
                // through; the next attempt opens a new channel.
                Err(Failure::Refused(error)) => last = error.to_string(),
                Err(Failure::ChannelClosed) => "the channel closed".clone_into(&mut last),
                Err(Failure::Unavailable(message)) => return Err(BusError::Unavailable(message)),
            }
        }
        Err(self.link.unavailable("publish", last))
    }

    async fn consume(
        &self,
        queue: &str,
        options: ConsumeOptions,
    ) -> Result<Box<dyn Consumer>, BusError> {
        let consumer = RabbitConsumer::start(
            Arc::clone(&self.link),
            queue,
            options,
            Arc::clone(&self.held),
        )
        .await?;
        Ok(Box::new(consumer))
    }

    async fn queue_stats(&self, queue: &str) -> Result<QueueStats, BusError> {
        let name = short(queue)?;
        let channel = self.link.channel().await?;
        let options = QueueDeclareOptions {
            passive: true,
            ..QueueDeclareOptions::default()
        };
        let declared = channel.queue_declare(name, options, FieldTable::default());
        let found = self
            .link
            .bounded("queue stats", declared)
            .await
            .map_err(|failure| self.declare_error(failure, "", queue, queue))?;
        Ok(QueueStats {
            ready: usize::try_from(found.message_count()).unwrap_or(usize::MAX),
            unacked: self.held.of(queue),
            consumers: usize::try_from(found.consumer_count()).unwrap_or(usize::MAX),
        })
    }
}
