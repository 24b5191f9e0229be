//! The embedded broker's consumer and acker: a consumer pulls the deliveries the
//! broker assigned to it and waits on its own `Notify`; dropping it requeues what
//! it still holds, the way closing an AMQP channel does.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use tokio::sync::Notify;

use super::delivery::{Settlement, Take};
use super::state::Shared;
use crate::events::{Acker, BusError, Consumer, Delivery};

/// A subscription to one queue of an [`super::InMemoryBroker`].
pub(super) struct BrokerConsumer {
    shared: Arc<Shared>,
    queue: String,
    id: u64,
    /// The tag the application gave, for diagnostics.
    tag: String,
    notify: Arc<Notify>,
}

impl BrokerConsumer {
    /// Wraps a consumer already registered in the broker state under `id`.
    pub(super) fn new(
        shared: Arc<Shared>,
        queue: String,
        id: u64,
        tag: String,
        notify: Arc<Notify>,
    ) -> Self {
        Self {
            shared,
            queue,
            id,
            tag,
            notify,
        }
    }

    /// Takes an assigned delivery without waiting.
    fn poll(&self) -> Polled {
        let taken = self.shared.lock().take(&self.queue, self.id);
        match taken {
            Take::Ready(delivered) => {
                let acker = BrokerAcker {
                    shared: Arc::clone(&self.shared),
                    queue: self.queue.clone(),
                    tag: delivered.tag,
                };
                Polled::Delivery(Delivery::new(
                    delivered.exchange,
                    delivered.routing_key,
                    delivered.message,
                    delivered.redelivered,
                    delivered.delivery_count,
                    delivered.tag,
                    Box::new(acker),
                ))
            }
            Take::Empty => Polled::Empty,
            Take::Closed => Polled::Closed,
        }
    }
}

/// The outcome of one poll of the consumer's assigned deliveries.
enum Polled {
    Delivery(Delivery),
    Empty,
    Closed,
}

#[async_trait]
impl Consumer for BrokerConsumer {
    async fn next(&mut self) -> Option<Delivery> {
        loop {
            match self.poll() {
                Polled::Delivery(delivery) => return Some(delivery),
                Polled::Empty => {}
                Polled::Closed => return None,
            }
            // A wake-up sent while we were polling is stored as a permit, so none
            // is lost between the poll above and this wait.
            self.notify.notified().await;
        }
    }

    fn try_next(&mut self) -> Option<Delivery> {
        match self.poll() {
            Polled::Delivery(delivery) => Some(delivery),
            Polled::Empty | Polled::Closed => None,
        }
    }
}

impl fmt::Debug for BrokerConsumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BrokerConsumer")
            .field("tag", &self.tag)
            .field("queue", &self.queue)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Drop for BrokerConsumer {
    fn drop(&mut self) {
        if let Some(mut state) = self.shared.lock_unless_poisoned() {
            state.remove_consumer(&self.queue, self.id);
        }
    }
}

/// Settles one delivery made by the embedded broker.
#[derive(Debug)]
struct BrokerAcker {
    shared: Arc<Shared>,
    queue: String,
    tag: u64,
}

impl BrokerAcker {
    fn settle(&self, settlement: Settlement) -> Result<(), BusError> {
        self.shared.lock().settle(&self.queue, self.tag, settlement)
    }
}

#[async_trait]
impl Acker for BrokerAcker {
    async fn ack(&self) -> Result<(), BusError> {
        self.settle(Settlement::Ack)
    }

    async fn nack(&self, requeue: bool) -> Result<(), BusError> {
        self.settle(if requeue {
            Settlement::Requeue
        } else {
            Settlement::Reject
        })
    }
}
