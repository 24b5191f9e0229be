//! The message lifecycle inside the broker: round-robin dispatch under prefetch,
//! settlement (ack, requeue at the front, reject), the delivery limit and
//! dead-lettering, and the requeue that follows a consumer going away.

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::Notify;

use super::state::{ConsumerSlot, InFlight, State, Stored};
use crate::events::{BusError, Message};

/// Header naming why a message was dead-lettered.
pub const DEATH_REASON_HEADER: &str = "x-death-reason";
/// Header naming the queue a message was dead-lettered from.
pub const DEATH_QUEUE_HEADER: &str = "x-death-queue";
/// Header naming the exchange a message was originally published to.
pub const DEATH_EXCHANGE_HEADER: &str = "x-death-exchange";
/// Header counting how many times a message has been dead-lettered.
pub const DEATH_COUNT_HEADER: &str = "x-death-count";

/// How a consumer settled a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Settlement {
    /// Done: remove the message.
    Ack,
    /// Put it back at the front of the queue (or dead-letter it past the limit).
    Requeue,
    /// Dead-letter it, or drop it when the queue has no dead-letter exchange.
    Reject,
}

/// Why a message left its queue for the dead-letter exchange.
#[derive(Debug, Clone, Copy)]
enum DeathReason {
    /// Rejected or nacked without requeue.
    Rejected,
    /// Requeued after reaching the queue's `x-delivery-limit`.
    DeliveryLimit,
}

impl DeathReason {
    fn header_value(self) -> &'static str {
        match self {
            Self::Rejected => "rejected",
            Self::DeliveryLimit => "delivery_limit",
        }
    }
}

/// One delivery's data, before the consumer attaches an acker to it.
#[derive(Debug)]
pub(super) struct Delivered {
    pub(super) exchange: String,
    pub(super) routing_key: String,
    pub(super) message: Message,
    pub(super) redelivered: bool,
    pub(super) delivery_count: u32,
    pub(super) tag: u64,
}

/// What a consumer's poll found.
#[derive(Debug)]
pub(super) enum Take {
    /// A delivery assigned to this consumer.
    Ready(Delivered),
    /// Nothing assigned yet.
    Empty,
    /// The broker shut down (or the consumer is gone): no more deliveries.
    Closed,
}

impl State {
    /// Attaches a consumer to a queue and hands it whatever is ready.
    pub(super) fn add_consumer(
        &mut self,
        queue: &str,
        prefetch: u16,
        notify: Arc<Notify>,
    ) -> Result<u64, BusError> {
        self.ensure_running()?;
        let Some(state) = self.queues.get_mut(queue) else {
            return Err(BusError::QueueNotFound(queue.to_owned()));
        };
        self.last_consumer += 1;
        state.consumers.push(ConsumerSlot {
            id: self.last_consumer,
            prefetch,
            unacked: 0,
            pending: VecDeque::new(),
            notify,
        });
        let id = self.last_consumer;
        self.dispatch(queue);
        Ok(id)
    }

    /// Detaches a consumer; its unsettled deliveries return to the front of the
    /// queue in their original order, as when an AMQP channel closes. Such a return
    /// counts against the delivery limit like any requeue (as in a quorum queue),
    /// so a message that crashes every consumer still ends up dead-lettered.
    pub(super) fn remove_consumer(&mut self, queue: &str, consumer: u64) {
        let Some(state) = self.queues.get_mut(queue) else {
            return;
        };
        state.consumers.retain(|slot| slot.id != consumer);
        if state.cursor >= state.consumers.len() {
            state.cursor = 0;
        }
        let held: Vec<u64> = state
            .in_flight
            .iter()
            .filter(|(_, flight)| flight.consumer == consumer)
            .map(|(tag, _)| *tag)
            .collect();
        // Pushing to the front newest-first leaves the oldest at the head.
        for tag in held.into_iter().rev() {
            let flight = self
                .queues
                .get_mut(queue)
                .and_then(|state| state.in_flight.remove(&tag));
            if let Some(flight) = flight {
                self.requeue(queue, flight.stored);
            }
        }
        self.dispatch(queue);
    }

    /// The next delivery assigned to `consumer`, if any.
    pub(super) fn take(&mut self, queue: &str, consumer: u64) -> Take {
        if self.shut_down {
            return Take::Closed;
        }
        let Some(state) = self.queues.get_mut(queue) else {
            return Take::Closed;
        };
        let Some(slot) = state.consumers.iter_mut().find(|slot| slot.id == consumer) else {
            return Take::Closed;
        };
        while let Some(tag) = slot.pending.pop_front() {
            if let Some(flight) = state.in_flight.get(&tag) {
                let stored = &flight.stored;
                return Take::Ready(Delivered {
                    exchange: stored.exchange.clone(),
                    routing_key: stored.routing_key.clone(),
                    message: stored.message.clone(),
                    redelivered: stored.delivery_count > 1,
                    delivery_count: stored.delivery_count,
                    tag,
                });
            }
        }
        Take::Empty
    }

    /// Settles one delivery; a tag that is no longer in flight was settled already
    /// (acked, rejected, or requeued when its consumer went away).
    pub(super) fn settle(
        &mut self,
        queue: &str,
        tag: u64,
        settlement: Settlement,
    ) -> Result<(), BusError> {
        let state = self
            .queues
            .get_mut(queue)
            .ok_or(BusError::AlreadySettled(tag))?;
        let flight = state
            .in_flight
            .remove(&tag)
            .ok_or(BusError::AlreadySettled(tag))?;
        if let Some(slot) = state
            .consumers
            .iter_mut()
            .find(|slot| slot.id == flight.consumer)
        {
            slot.unacked = slot.unacked.saturating_sub(1);
        }
        match settlement {
            Settlement::Ack => self.metrics.acked += 1,
            Settlement::Requeue => self.requeue(queue, flight.stored),
            Settlement::Reject => self.dead_letter(queue, flight.stored, DeathReason::Rejected),
        }
        self.dispatch(queue);
        Ok(())
    }

    /// Hands ready messages to consumers with a free prefetch slot, round-robin.
    pub(super) fn dispatch(&mut self, queue: &str) {
        let Some(state) = self.queues.get_mut(queue) else {
            return;
        };
        loop {
            let consumers = state.consumers.len();
            let Some(index) = (0..consumers)
                .map(|offset| (state.cursor + offset) % consumers)
                .find(|&index| state.consumers[index].has_room())
            else {
                return;
            };
            let Some(mut stored) = state.ready.pop_front() else {
                return;
            };
            stored.delivery_count = stored.delivery_count.saturating_add(1);
            self.last_tag += 1;
            let tag = self.last_tag;
            let slot = &mut state.consumers[index];
            slot.unacked += 1;
            slot.pending.push_back(tag);
            slot.notify.notify_one();
            let consumer = slot.id;
            state.in_flight.insert(tag, InFlight { consumer, stored });
            state.cursor = (index + 1) % consumers;
            self.metrics.delivered += 1;
        }
    }

    /// Returns a message to the front of its queue, unless the queue's delivery
    /// limit is reached, in which case it is dead-lettered.
    fn requeue(&mut self, queue: &str, stored: Stored) {
        let Some(state) = self.queues.get_mut(queue) else {
            return;
        };
        let limit_reached = state
            .spec
            .delivery_limit
            .is_some_and(|limit| stored.delivery_count >= limit);
        if limit_reached {
            self.dead_letter(queue, stored, DeathReason::DeliveryLimit);
        } else {
            state.ready.push_front(stored);
            self.metrics.requeued += 1;
        }
    }

    /// Re-publishes a message to its queue's dead-letter exchange with `x-death-*`
    /// headers; without a dead-letter exchange, or when that exchange is not
    /// declared or routes nowhere, the message is dropped.
    fn dead_letter(&mut self, queue: &str, stored: Stored, reason: DeathReason) {
        let Some(spec) = self.queues.get(queue).map(|state| state.spec.clone()) else {
            return;
        };
        let Some(exchange) = spec.dead_letter_exchange else {
            self.metrics.dropped += 1;
            return;
        };
        let routing_key = spec
            .dead_letter_routing_key
            .unwrap_or_else(|| stored.routing_key.clone());
        let targets = match self.route(&exchange, &routing_key) {
            Ok(targets) if !targets.is_empty() => targets,
            _ => {
                self.metrics.dropped += 1;
                return;
            }
        };
        let deaths = stored
            .message
            .headers
            .get(DEATH_COUNT_HEADER)
            .and_then(|count| count.parse::<u32>().ok())
            .unwrap_or(0)
            .saturating_add(1);
        let message = stored
            .message
            .with_header(DEATH_REASON_HEADER, reason.header_value())
            .with_header(DEATH_QUEUE_HEADER, queue)
            .with_header(DEATH_EXCHANGE_HEADER, stored.exchange)
            .with_header(DEATH_COUNT_HEADER, deaths.to_string());
        let dead = Stored {
            exchange,
            routing_key,
            message,
            delivery_count: 0,
        };
        self.enqueue_all(&targets, &dead);
        self.metrics.dead_lettered += 1;
    }
}
