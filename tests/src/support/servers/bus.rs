//! A bus whose exchanges and queues all live under a prefix of one test, so
//! tests share one RabbitMQ broker without seeing each other's messages: every
//! name a service declares, binds, publishes to or consumes from (dead-letter
//! exchanges and the default exchange's routing keys included) is prefixed on
//! the way in and unprefixed on the way out (deliveries, errors). What it
//! declared is deleted when the last handle goes away.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use mediaflow_shared::events::{
    AmqpSettings, BusError, ConsumeOptions, Consumer, Delivery, EventBus, ExchangeSpec, Message,
    PublishOutcome, QueueSpec, QueueStats, RabbitBus,
};

use super::detached::run_detached;

/// Names under a prefix, and how to take it off again.
#[derive(Debug, Clone)]
struct Names {
    prefix: Arc<str>,
}

impl Names {
    /// The broker's name of `name`. The default exchange `""` and the broker's own
    /// `amq.*` names are the broker's, never prefixed (the inner bus then refuses
    /// or routes them as it would unprefixed).
    fn wrap(&self, name: &str) -> String {
        if name.is_empty() || name.starts_with("amq.") {
            name.to_owned()
        } else {
            format!("{}{name}", self.prefix)
        }
    }

    fn unwrap(&self, name: &str) -> String {
        name.strip_prefix(&*self.prefix).unwrap_or(name).to_owned()
    }

    /// Errors name what the caller named.
    fn error(&self, error: BusError) -> BusError {
        match error {
            BusError::ExchangeNotFound(name) => BusError::ExchangeNotFound(self.unwrap(&name)),
            BusError::QueueNotFound(name) => BusError::QueueNotFound(self.unwrap(&name)),
            BusError::InvalidName(name) => BusError::InvalidName(self.unwrap(&name)),
            BusError::PreconditionFailed { name, reason } => BusError::PreconditionFailed {
                name: self.unwrap(&name),
                reason: reason.replace(&*self.prefix, ""),
            },
            BusError::Unavailable(message) => {
                BusError::Unavailable(message.replace(&*self.prefix, ""))
            }
            other => other,
        }
    }

    fn delivery(&self, mut delivery: Delivery) -> Delivery {
        if delivery.exchange.is_empty() {
            delivery.routing_key = self.unwrap(&delivery.routing_key);
        }
        delivery.exchange = self.unwrap(&delivery.exchange);
        delivery
    }
}

/// What a [`PrefixedBus`] declared, deleted when the last clone is dropped.
struct Declared {
    settings: AmqpSettings,
    exchanges: Mutex<BTreeSet<String>>,
    queues: Mutex<BTreeSet<String>>,
}

impl Declared {
    fn record(set: &Mutex<BTreeSet<String>>, name: String) {
        set.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(name);
    }

    fn take(set: &Mutex<BTreeSet<String>>) -> BTreeSet<String> {
        std::mem::take(
            &mut *set
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

impl Drop for Declared {
    fn drop(&mut self) {
        let (queues, exchanges) = (Self::take(&self.queues), Self::take(&self.exchanges));
        if queues.is_empty() && exchanges.is_empty() {
            return;
        }
        // A fresh connection: the bus's own may belong to a runtime that is gone.
        let rabbit = RabbitBus::new(self.settings.clone());
        run_detached("the test's queues and exchanges", move || async move {
            for queue in &queues {
                rabbit
                    .delete_queue(queue)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            for exchange in &exchanges {
                rabbit
                    .delete_exchange(exchange)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            Ok(())
        });
    }
}

/// A [`RabbitBus`] with every name under one prefix. Clones share the names.
#[derive(Clone)]
pub struct PrefixedBus {
    inner: RabbitBus,
    names: Names,
    declared: Arc<Declared>,
}

impl fmt::Debug for PrefixedBus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrefixedBus")
            .field("prefix", &self.names.prefix)
            .field("inner", &self.inner)
            .finish()
    }
}

impl PrefixedBus {
    /// A bus on the broker of `settings` with every exchange and queue name
    /// under `prefix`.
    pub fn new(settings: AmqpSettings, prefix: &str) -> Self {
        Self {
            inner: RabbitBus::new(settings.clone()),
            declared: Arc::new(Declared {
                settings,
                exchanges: Mutex::default(),
                queues: Mutex::default(),
            }),
            names: Names {
                prefix: Arc::from(prefix),
            },
        }
    }
}

#[async_trait]
impl EventBus for PrefixedBus {
    async fn declare_exchange(&self, spec: &ExchangeSpec) -> Result<(), BusError> {
        let mut spec = spec.clone();
        spec.name = self.names.wrap(&spec.name);
        self.inner
            .declare_exchange(&spec)
            .await
            .map_err(|e| self.names.error(e))?;
        Declared::record(&self.declared.exchanges, spec.name);
        Ok(())
    }

    async fn declare_queue(&self, spec: &QueueSpec) -> Result<(), BusError> {
        let mut spec = spec.clone();
        spec.name = self.names.wrap(&spec.name);
        spec.dead_letter_exchange = spec.dead_letter_exchange.map(|dlx| self.names.wrap(&dlx));
        if spec.dead_letter_exchange.as_deref() == Some("") {
            // Dead-lettering through the default exchange routes by queue name.
            spec.dead_letter_routing_key = spec
                .dead_letter_routing_key
                .map(|key| self.names.wrap(&key));
        }
        self.inner
            .declare_queue(&spec)
            .await
            .map_err(|e| self.names.error(e))?;
        Declared::record(&self.declared.queues, spec.name);
        Ok(())
    }

    async fn bind_queue(
        &self,
        queue: &str,
        exchange: &str,
        binding_key: &str,
    ) -> Result<(), BusError> {
        self.inner
            .bind_queue(
                &self.names.wrap(queue),
                &self.names.wrap(exchange),
                binding_key,
            )
            .await
            .map_err(|e| self.names.error(e))
    }

    async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        message: Message,
    ) -> Result<PublishOutcome, BusError> {
        let key = if exchange.is_empty() {
            self.names.wrap(routing_key)
        } else {
            routing_key.to_owned()
        };
        self.inner
            .publish(&self.names.wrap(exchange), &key, message)
            .await
            .map_err(|e| self.names.error(e))
    }

    async fn consume(
        &self,
        queue: &str,
        options: ConsumeOptions,
    ) -> Result<Box<dyn Consumer>, BusError> {
        let inner = self
            .inner
            .consume(&self.names.wrap(queue), options)
            .await
            .map_err(|e| self.names.error(e))?;
        Ok(Box::new(PrefixedConsumer {
            inner,
            names: self.names.clone(),
        }))
    }

    async fn queue_stats(&self, queue: &str) -> Result<QueueStats, BusError> {
        self.inner
            .queue_stats(&self.names.wrap(queue))
            .await
            .map_err(|e| self.names.error(e))
    }
}

/// A consumer whose deliveries name exchanges as the test declared them.
#[derive(Debug)]
struct PrefixedConsumer {
    inner: Box<dyn Consumer>,
    names: Names,
}

#[async_trait]
impl Consumer for PrefixedConsumer {
    async fn next(&mut self) -> Option<Delivery> {
        let delivery = self.inner.next().await?;
        Some(self.names.delivery(delivery))
    }

    fn try_next(&mut self) -> Option<Delivery> {
        self.inner.try_next().map(|d| self.names.delivery(d))
    }
}
