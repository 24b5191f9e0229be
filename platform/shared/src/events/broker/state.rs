//! The broker's whole state behind one lock: exchanges, queues, bindings and the
//! counters. Everything here is synchronous, so no guard can cross an `.await`;
//! this file holds declaration and routing, `delivery.rs` the message lifecycle.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;

use super::BrokerMetrics;
use super::routing::{topic_matches, validate_name};
use crate::events::{BusError, ExchangeKind, ExchangeSpec, Message, QueueSpec, QueueStats};

/// The state shared by the broker handle, its consumers and its ackers.
#[derive(Debug, Default)]
pub(super) struct Shared {
    state: Mutex<State>,
}

impl Shared {
    /// Locks the state; a poisoned lock means a broker invariant already broke.
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().expect("broker state poisoned")
    }

    /// Locks the state unless it is poisoned; for `Drop`, which must not panic.
    pub(super) fn lock_unless_poisoned(&self) -> Option<MutexGuard<'_, State>> {
        self.state.lock().ok()
    }
}

/// A message sitting in a queue, with what the broker remembers about it.
#[derive(Debug, Clone)]
pub(super) struct Stored {
    /// Exchange it was published (or dead-lettered) to.
    pub(super) exchange: String,
    /// Routing key it was published (or dead-lettered) with.
    pub(super) routing_key: String,
    /// The message itself.
    pub(super) message: Message,
    /// How many times it has been handed to a consumer so far.
    pub(super) delivery_count: u32,
}

/// A delivery handed to a consumer and not yet settled.
#[derive(Debug)]
pub(super) struct InFlight {
    /// The consumer holding it; its requeue target when that consumer goes away.
    pub(super) consumer: u64,
    /// The message, kept for requeue or dead-lettering.
    pub(super) stored: Stored,
}

/// One consumer attached to a queue.
#[derive(Debug)]
pub(super) struct ConsumerSlot {
    /// Broker-assigned id.
    pub(super) id: u64,
    /// Unsettled deliveries allowed; 0 = unlimited.
    pub(super) prefetch: u16,
    /// Deliveries assigned to this consumer and not yet settled.
    pub(super) unacked: usize,
    /// Delivery tags assigned but not yet taken by `next`/`try_next`.
    pub(super) pending: VecDeque<u64>,
    /// Wakes the consumer's `next` when a delivery is assigned or the broker stops.
    pub(super) notify: Arc<Notify>,
}

impl ConsumerSlot {
    /// Whether prefetch allows one more unsettled delivery.
    pub(super) fn has_room(&self) -> bool {
        self.prefetch == 0 || self.unacked < usize::from(self.prefetch)
    }
}

/// A declared queue with its messages and consumers.
#[derive(Debug)]
pub(super) struct QueueState {
    /// The declaration, compared on re-declaration.
    pub(super) spec: QueueSpec,
    /// Messages waiting for a consumer, front first.
    pub(super) ready: VecDeque<Stored>,
    /// Unsettled deliveries by tag; ordered so requeues keep publish order.
    pub(super) in_flight: BTreeMap<u64, InFlight>,
    /// Attached consumers, in round-robin order.
    pub(super) consumers: Vec<ConsumerSlot>,
    /// Index of the consumer that gets the next delivery.
    pub(super) cursor: usize,
}

/// Everything the broker knows.
#[derive(Debug, Default)]
pub(super) struct State {
    /// Declared exchanges by name (the default exchange is implicit).
    pub(super) exchanges: HashMap<String, ExchangeSpec>,
    /// Declared queues by name.
    pub(super) queues: HashMap<String, QueueState>,
    /// Per exchange, its `(queue, binding key)` pairs.
    pub(super) bindings: HashMap<String, BTreeSet<(String, String)>>,
    /// Last delivery tag handed out.
    pub(super) last_tag: u64,
    /// Last consumer id handed out.
    pub(super) last_consumer: u64,
    /// Set by `shutdown`; consumers then end and new work is refused.
    pub(super) shut_down: bool,
    /// Work counters.
    pub(super) metrics: BrokerMetrics,
}

/// Widens a count for the metrics, saturating on the impossible overflow.
pub(super) fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

fn kind_name(kind: ExchangeKind) -> &'static str {
    match kind {
        ExchangeKind::Direct => "direct",
        ExchangeKind::Topic => "topic",
        ExchangeKind::Fanout => "fanout",
    }
}

fn describe<T: std::fmt::Debug>(value: Option<&T>) -> String {
    value.map_or_else(|| "unset".to_owned(), |v| format!("{v:?}"))
}

/// Lists how `requested` differs from `existing`, or `None` when they agree.
fn exchange_differences(existing: &ExchangeSpec, requested: &ExchangeSpec) -> Option<String> {
    let mut differences = Vec::new();
    if existing.kind != requested.kind {
        differences.push(format!(
            "type is {}, requested {}",
            kind_name(existing.kind),
            kind_name(requested.kind)
        ));
    }
    if existing.durable != requested.durable {
        differences.push(format!(
            "durable is {}, requested {}",
            existing.durable, requested.durable
        ));
    }
    (!differences.is_empty()).then(|| differences.join("; "))
}

/// Lists how `requested` differs from `existing`, or `None` when they agree.
fn queue_differences(existing: &QueueSpec, requested: &QueueSpec) -> Option<String> {
    let mut differences = Vec::new();
    if existing.durable != requested.durable {
        differences.push(format!(
            "durable is {}, requested {}",
            existing.durable, requested.durable
        ));
    }
    let options = [
        (
            "x-dead-letter-exchange",
            describe(existing.dead_letter_exchange.as_ref()),
            describe(requested.dead_letter_exchange.as_ref()),
        ),
        (
            "x-dead-letter-routing-key",
            describe(existing.dead_letter_routing_key.as_ref()),
            describe(requested.dead_letter_routing_key.as_ref()),
        ),
        (
            "x-delivery-limit",
            describe(existing.delivery_limit.as_ref()),
            describe(requested.delivery_limit.as_ref()),
        ),
    ];
    for (argument, current, wanted) in options {
        if current != wanted {
            differences.push(format!("{argument} is {current}, requested {wanted}"));
        }
    }
    (!differences.is_empty()).then(|| differences.join("; "))
}

impl State {
    /// Refuses new work once the broker has been shut down.
    pub(super) fn ensure_running(&self) -> Result<(), BusError> {
        if self.shut_down {
            Err(BusError::Unavailable(
                "the embedded broker was shut down; build a new one to keep publishing".to_owned(),
            ))
        } else {
            Ok(())
        }
    }

    /// Declares an exchange; identical re-declaration is a no-op.
    pub(super) fn declare_exchange(&mut self, spec: &ExchangeSpec) -> Result<(), BusError> {
        self.ensure_running()?;
        validate_name(&spec.name)?;
        match self.exchanges.get(&spec.name) {
            Some(existing) => match exchange_differences(existing, spec) {
                Some(reason) => Err(BusError::PreconditionFailed {
                    name: spec.name.clone(),
                    reason,
                }),
                None => Ok(()),
            },
            None => {
                self.exchanges.insert(spec.name.clone(), spec.clone());
                Ok(())
            }
        }
    }

    /// Declares a queue; identical re-declaration is a no-op.
    pub(super) fn declare_queue(&mut self, spec: &QueueSpec) -> Result<(), BusError> {
        self.ensure_running()?;
        validate_name(&spec.name)?;
        match self.queues.get(&spec.name) {
            Some(existing) => match queue_differences(&existing.spec, spec) {
                Some(reason) => Err(BusError::PreconditionFailed {
                    name: spec.name.clone(),
                    reason,
                }),
                None => Ok(()),
            },
            None => {
                let queue = QueueState {
                    spec: spec.clone(),
                    ready: VecDeque::new(),
                    in_flight: BTreeMap::new(),
                    consumers: Vec::new(),
                    cursor: 0,
                };
                self.queues.insert(spec.name.clone(), queue);
                Ok(())
            }
        }
    }

    /// Binds a queue to a declared exchange; binding twice is a no-op.
    pub(super) fn bind(
        &mut self,
        queue: &str,
        exchange: &str,
        binding_key: &str,
    ) -> Result<(), BusError> {
        self.ensure_running()?;
        if exchange.is_empty() {
            // Every queue is implicitly bound to the default exchange by its name.
            return Err(BusError::InvalidName(String::new()));
        }
        if !self.exchanges.contains_key(exchange) {
            return Err(BusError::ExchangeNotFound(exchange.to_owned()));
        }
        if !self.queues.contains_key(queue) {
            return Err(BusError::QueueNotFound(queue.to_owned()));
        }
        self.bindings
            .entry(exchange.to_owned())
            .or_default()
            .insert((queue.to_owned(), binding_key.to_owned()));
        Ok(())
    }

    /// The queues a message published to `exchange` with `routing_key` lands in,
    /// each named once however many of its bindings match.
    pub(super) fn route(&self, exchange: &str, routing_key: &str) -> Result<Vec<String>, BusError> {
        if exchange.is_empty() {
            let target = self
                .queues
                .contains_key(routing_key)
                .then(|| routing_key.to_owned());
            return Ok(target.into_iter().collect());
        }
        let spec = self
            .exchanges
            .get(exchange)
            .ok_or_else(|| BusError::ExchangeNotFound(exchange.to_owned()))?;
        let Some(bindings) = self.bindings.get(exchange) else {
            return Ok(Vec::new());
        };
        let matched: BTreeSet<&str> = bindings
            .iter()
            .filter(|(_, binding_key)| match spec.kind {
                ExchangeKind::Direct => binding_key == routing_key,
                ExchangeKind::Topic => topic_matches(binding_key, routing_key),
                ExchangeKind::Fanout => true,
            })
            .map(|(queue, _)| queue.as_str())
            .collect();
        Ok(matched.into_iter().map(str::to_owned).collect())
    }

    /// Routes and enqueues a published message; returns how many queues took it.
    pub(super) fn publish(
        &mut self,
        exchange: &str,
        routing_key: &str,
        message: Message,
    ) -> Result<usize, BusError> {
        self.ensure_running()?;
        let targets = self.route(exchange, routing_key)?;
        self.metrics.published += 1;
        if targets.is_empty() {
            self.metrics.unroutable += 1;
            return Ok(0);
        }
        let stored = Stored {
            exchange: exchange.to_owned(),
            routing_key: routing_key.to_owned(),
            message,
            delivery_count: 0,
        };
        self.enqueue_all(&targets, &stored);
        self.metrics.routed += count(targets.len());
        Ok(targets.len())
    }

    /// Appends a copy of `stored` to each target queue and hands it to consumers.
    pub(super) fn enqueue_all(&mut self, targets: &[String], stored: &Stored) {
        for target in targets {
            if let Some(queue) = self.queues.get_mut(target) {
                queue.ready.push_back(stored.clone());
            }
            self.dispatch(target);
        }
    }

    /// Ready, unacked and consumer counts of a queue.
    pub(super) fn queue_stats(&self, queue: &str) -> Result<QueueStats, BusError> {
        let state = self
            .queues
            .get(queue)
            .ok_or_else(|| BusError::QueueNotFound(queue.to_owned()))?;
        Ok(QueueStats {
            ready: state.ready.len(),
            unacked: state.in_flight.len(),
            consumers: state.consumers.len(),
        })
    }

    /// Stops the broker: consumers are woken so their `next` can return `None`.
    pub(super) fn stop(&mut self) {
        self.shut_down = true;
        for queue in self.queues.values() {
            for consumer in &queue.consumers {
                consumer.notify.notify_one();
            }
        }
    }
}
