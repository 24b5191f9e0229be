//! A RabbitMQ consumer: one channel per consumer (its `basic.qos` is the prefetch,
//! and closing it hands unacked deliveries back to the queue, as dropping an
//! embedded consumer does), deliveries converted to the bus's shape, and an acker
//! per delivery that also keeps this bus's count of unacked deliveries.
//!
//! A consumer survives a lost connection: when its channel or the connection
//! fails, it subscribes again on the bus's connection (reopened by the bus),
//! retrying with a capped backoff until the broker and the queue are back, so a
//! service's consuming loop resumes by itself after a broker restart. What it held
//! went back to the queue with the old channel (acking those is
//! [`BusError::AlreadySettled`]). Only the broker cancelling the subscription (its
//! queue deleted) ends the consumer.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::{FutureExt, StreamExt};
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions};
use lapin::types::FieldTable;
use lapin::{Acker as LapinAcker, Channel};

use super::convert::received;
use super::link::{Failure, Link, refusal, short};
use crate::events::{Acker, BusError, ConsumeOptions, Consumer, Delivery};

/// First wait before subscribing again after a lost connection.
const RESUBSCRIBE_FIRST: Duration = Duration::from_millis(100);
/// Longest wait between two tries to subscribe again.
const RESUBSCRIBE_MAX: Duration = Duration::from_secs(2);

/// Opens a channel with the consumer's prefetch and subscribes it to `queue`.
pub(super) async fn subscribe(
    link: &Link,
    queue: &str,
    options: &ConsumeOptions,
) -> Result<(Channel, lapin::Consumer), BusError> {
    let refused = |failure: Failure| match failure {
        Failure::Refused(error) => refusal(&error, "", queue, queue),
        Failure::ChannelClosed => link.unavailable("consume", "the channel closed"),
        Failure::Unavailable(message) => BusError::Unavailable(message),
    };
    let (queue_name, tag) = (short(queue)?, short(&options.tag)?);
    let channel = link.channel().await?;
    let qos = channel.basic_qos(options.prefetch, BasicQosOptions { global: false });
    link.bounded("set prefetch", qos).await.map_err(refused)?;
    let started = channel.basic_consume(
        queue_name,
        tag,
        BasicConsumeOptions::default(),
        FieldTable::default(),
    );
    let stream = link.bounded("consume", started).await.map_err(refused)?;
    Ok((channel, stream))
}

/// Deliveries handed to this bus's consumers and not yet settled, per queue.
///
/// AMQP reports a queue's ready count and consumers but not its unacked count (only
/// the management API does), so the bus counts what its own consumers hold.
#[derive(Debug, Default)]
pub(super) struct Held {
    by_queue: Mutex<HashMap<String, usize>>,
}

impl Held {
    fn counts(&self) -> std::sync::MutexGuard<'_, HashMap<String, usize>> {
        self.by_queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Unacked deliveries of `queue` held by this bus's consumers.
    pub(super) fn of(&self, queue: &str) -> usize {
        self.counts().get(queue).copied().unwrap_or(0)
    }

    fn add(&self, queue: &str) {
        *self.counts().entry(queue.to_owned()).or_default() += 1;
    }

    fn remove(&self, queue: &str, n: usize) {
        if let Some(count) = self.counts().get_mut(queue) {
            *count = count.saturating_sub(n);
        }
    }
}

/// What one consumer's deliveries share: whether each is still unsettled.
#[derive(Debug)]
struct Outstanding {
    queue: String,
    held: Arc<Held>,
    /// One flag per delivery still unsettled; cleared by settling or by the
    /// consumer going away (its channel's close returns them to the queue).
    open: Mutex<Vec<Arc<AtomicBool>>>,
}

impl Outstanding {
    fn track(&self) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(true));
        self.held.add(&self.queue);
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        open.retain(|f| f.load(Ordering::Acquire));
        open.push(Arc::clone(&flag));
        flag
    }

    /// Marks one delivery settled; false when it already was.
    fn settle(&self, flag: &AtomicBool) -> bool {
        let was_open = flag.swap(false, Ordering::AcqRel);
        if was_open {
            self.held.remove(&self.queue, 1);
        }
        was_open
    }

    /// Every delivery still open goes back to the queue with the channel.
    fn release_all(&self) {
        let open = std::mem::take(
            &mut *self
                .open
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for flag in open {
            self.settle(&flag);
        }
    }
}

/// A subscription to one queue on its own channel.
pub(super) struct RabbitConsumer {
    options: ConsumeOptions,
    channel: Channel,
    stream: lapin::Consumer,
    outstanding: Arc<Outstanding>,
    /// The bus's connection, to subscribe again on after a lost one.
    link: Arc<Link>,
}

impl RabbitConsumer {
    /// Subscribes to `queue` on the bus's connection.
    pub(super) async fn start(
        link: Arc<Link>,
        queue: &str,
        options: ConsumeOptions,
        held: Arc<Held>,
    ) -> Result<Self, BusError> {
        let (channel, stream) = subscribe(&link, queue, &options).await?;
        Ok(Self {
            options,
            channel,
            stream,
            link,
            outstanding: Arc::new(Outstanding {
                queue: queue.to_owned(),
                held,
                open: Mutex::new(Vec::new()),
            }),
        })
    }

    /// Subscribes again after the channel or the connection failed, waiting out
    /// the broker's absence with a capped backoff.
    async fn resubscribe(&mut self) {
        // The broker requeues what the failed channel held.
        self.outstanding.release_all();
        let mut delay = RESUBSCRIBE_FIRST;
        loop {
            tokio::time::sleep(delay).await;
            if let Ok((channel, stream)) =
                subscribe(&self.link, &self.outstanding.queue, &self.options).await
            {
                self.channel = channel;
                self.stream = stream;
                return;
            }
            delay = (delay * 2).min(RESUBSCRIBE_MAX);
        }
    }

    fn convert(&self, delivery: lapin::message::Delivery) -> Delivery {
        let (message, delivery_count) =
            received(&delivery.properties, delivery.data, delivery.redelivered);
        let tag = delivery.delivery_tag;
        let acker = RabbitAcker {
            acker: delivery.acker,
            tag,
            flag: self.outstanding.track(),
            outstanding: Arc::clone(&self.outstanding),
        };
        Delivery::new(
            delivery.exchange.as_str().to_owned(),
            delivery.routing_key.as_str().to_owned(),
            message,
            delivery.redelivered,
            delivery_count,
            tag,
            Box::new(acker),
        )
    }
}

#[async_trait]
impl Consumer for RabbitConsumer {
    async fn next(&mut self) -> Option<Delivery> {
        loop {
            match self.stream.next().await {
                Some(Ok(delivery)) => return Some(self.convert(delivery)),
                // The broker cancelled the subscription: its queue is gone.
                None => return None,
                // The channel or the connection failed.
                Some(Err(_)) => self.resubscribe().await,
            }
        }
    }

    fn try_next(&mut self) -> Option<Delivery> {
        // Only what the client has already received: a delivery still on the wire
        // is not "available right now".
        let delivery = self.stream.next().now_or_never()??.ok()?;
        Some(self.convert(delivery))
    }
}

impl fmt::Debug for RabbitConsumer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RabbitConsumer")
            .field("tag", &self.options.tag)
            .field("queue", &self.outstanding.queue)
            .field("channel", &self.channel.id())
            .finish_non_exhaustive()
    }
}

impl Drop for RabbitConsumer {
    fn drop(&mut self) {
        // Dropping the last handle of the channel closes it (lapin sends
        // channel.close from its own I/O thread, no runtime needed), and the broker
        // then requeues every unacked delivery, marked redelivered.
        self.outstanding.release_all();
    }
}

/// Settles one delivery on the channel that received it.
struct RabbitAcker {
    acker: LapinAcker,
    tag: u64,
    flag: Arc<AtomicBool>,
    outstanding: Arc<Outstanding>,
}

impl fmt::Debug for RabbitAcker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RabbitAcker")
            .field("tag", &self.tag)
            .field("queue", &self.outstanding.queue)
            .finish_non_exhaustive()
    }
}

impl RabbitAcker {
    /// Sends one settlement; a delivery whose channel closed was already handed
    /// back to the queue, which is [`BusError::AlreadySettled`] as on the embedded bus.
    fn settle(&self, sent: &lapin::Result<bool>) -> Result<(), BusError> {
        match sent {
            Ok(true) => {
                self.outstanding.settle(&self.flag);
                Ok(())
            }
            Ok(false) | Err(_) => {
                self.outstanding.settle(&self.flag);
                Err(BusError::AlreadySettled(self.tag))
            }
        }
    }
}

#[async_trait]
impl Acker for RabbitAcker {
    async fn ack(&self) -> Result<(), BusError> {
        if !self.flag.load(Ordering::Acquire) {
            return Err(BusError::AlreadySettled(self.tag));
        }
        let sent = self.acker.ack(BasicAckOptions::default()).await;
        self.settle(&sent)
    }

    async fn nack(&self, requeue: bool) -> Result<(), BusError> {
        if !self.flag.load(Ordering::Acquire) {
            return Err(BusError::AlreadySettled(self.tag));
        }
        let options = BasicNackOptions {
            multiple: false,
            requeue,
        };
        let sent = self.acker.nack(options).await;
        self.settle(&sent)
    }
}
