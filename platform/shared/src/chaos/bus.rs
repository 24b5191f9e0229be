//! Message faults on the event bus: a decorator over any [`EventBus`] that drops,
//! duplicates, delays, reorders or fails publishes on demand, so chaos tests can
//! check consumers against the misbehaviour of a real network and broker.
//!
//! A dropped or held message still returns `Ok` with `routed: 1` to its publisher:
//! the fault modelled is loss after the broker acknowledged the publish, which is
//! exactly the case a publisher cannot detect and consumers must survive.

use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;

use crate::events::{
    BusError, ConsumeOptions, Consumer, EventBus, ExchangeSpec, Message, PublishOutcome, QueueSpec,
    QueueStats,
};

/// A fault to inject into subsequent publishes. Counted faults add up when
/// injected twice; rates and windows replace the previous setting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BusFault {
    /// Silently lose the next `n` publishes.
    DropNext(usize),
    /// Lose each publish with this probability (clamped to 0..=1), drawn from the
    /// bus's seeded generator so a run is reproducible.
    DropRate(f64),
    /// Deliver the next `n` publishes twice.
    DuplicateNext(usize),
    /// Hold the next `n` publishes until [`ChaosBus::release_delayed`].
    DelayNext(usize),
    /// Buffer publishes until `n` are held, then publish them in reverse order;
    /// [`ChaosBus::flush`] releases a partial window. 0 turns reordering off.
    ReorderWindow(usize),
    /// Fail the next `n` publishes with [`BusError::Unavailable`].
    FailNext(usize),
}

/// How many publishes each fault has affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ChaosBusStats {
    /// Publishes lost (by `DropNext` or `DropRate`).
    pub dropped: u64,
    /// Publishes delivered twice.
    pub duplicated: u64,
    /// Publishes held for a later release.
    pub delayed: u64,
    /// Messages published out of order by a reorder window.
    pub reordered: u64,
    /// Publishes failed with an error.
    pub failed: u64,
}

/// A publish waiting in the chaos layer.
#[derive(Debug)]
struct Held {
    exchange: String,
    routing_key: String,
    message: Message,
}

/// What to do with one publish, decided under the lock and carried out after it.
#[derive(Debug)]
enum Plan {
    /// Return an injected error; the message goes nowhere.
    Fail {
        /// Failures still to come after this one.
        remaining: usize,
    },
    /// Publish `batch` in order; the publisher sees the outcome of `batch[own]`
    /// when its own message is in it, else a successful single route.
    Send {
        batch: Vec<Held>,
        own: Option<usize>,
    },
}

/// The fault settings and the messages held back.
#[derive(Debug)]
struct Faults {
    drop_next: usize,
    drop_rate: f64,
    duplicate_next: usize,
    delay_next: usize,
    reorder_window: usize,
    fail_next: usize,
    rng: fastrand::Rng,
    delayed: Vec<Held>,
    window: Vec<Held>,
    stats: ChaosBusStats,
}

fn take_one(counter: &mut usize) -> bool {
    if *counter == 0 {
        false
    } else {
        *counter -= 1;
        true
    }
}

impl Faults {
    fn plan(&mut self, held: Held) -> Plan {
        if take_one(&mut self.fail_next) {
            self.stats.failed += 1;
            return Plan::Fail {
                remaining: self.fail_next,
            };
        }
        let swallowed = Plan::Send {
            batch: Vec::new(),
            own: None,
        };
        if take_one(&mut self.drop_next)
            || (self.drop_rate > 0.0 && self.rng.f64() < self.drop_rate)
        {
            self.stats.dropped += 1;
            return swallowed;
        }
        if take_one(&mut self.delay_next) {
            self.stats.delayed += 1;
            self.delayed.push(held);
            return swallowed;
        }
        let mut copies = vec![held];
        if take_one(&mut self.duplicate_next) {
            self.stats.duplicated += 1;
            let first = &copies[0];
            copies.push(Held {
                exchange: first.exchange.clone(),
                routing_key: first.routing_key.clone(),
                message: first.message.clone(),
            });
        }
        if self.reorder_window == 0 {
            return Plan::Send {
                batch: copies,
                own: Some(0),
            };
        }
        self.window.extend(copies);
        if self.window.len() < self.reorder_window {
            return swallowed;
        }
        // Reversed, the message that filled the window goes out first.
        Plan::Send {
            batch: self.take_window(),
            own: Some(0),
        }
    }

    fn take_window(&mut self) -> Vec<Held> {
        let mut batch = std::mem::take(&mut self.window);
        batch.reverse();
        self.stats.reordered += u64::try_from(batch.len()).unwrap_or(u64::MAX);
        batch
    }
}

/// An [`EventBus`] that injects [`BusFault`]s into publishes and passes every
/// other operation straight to the bus it wraps.
#[derive(Debug)]
pub struct ChaosBus {
    inner: Arc<dyn EventBus>,
    faults: Mutex<Faults>,
}

impl ChaosBus {
    /// Wraps `inner`; `seed` drives [`BusFault::DropRate`] so runs reproduce.
    pub fn new(inner: Arc<dyn EventBus>, seed: u64) -> Self {
        Self {
            inner,
            faults: Mutex::new(Faults {
                drop_next: 0,
                drop_rate: 0.0,
                duplicate_next: 0,
                delay_next: 0,
                reorder_window: 0,
                fail_next: 0,
                rng: fastrand::Rng::with_seed(seed),
                delayed: Vec::new(),
                window: Vec::new(),
                stats: ChaosBusStats::default(),
            }),
        }
    }

    fn faults(&self) -> MutexGuard<'_, Faults> {
        self.faults.lock().expect("chaos bus faults poisoned")
    }

    /// Turns a fault on for the following publishes.
    pub fn inject(&self, fault: BusFault) {
        let mut faults = self.faults();
        match fault {
            BusFault::DropNext(n) => faults.drop_next = faults.drop_next.saturating_add(n),
            BusFault::DropRate(rate) => {
                faults.drop_rate = if rate.is_nan() {
                    0.0
                } else {
                    rate.clamp(0.0, 1.0)
                };
            }
            BusFault::DuplicateNext(n) => {
                faults.duplicate_next = faults.duplicate_next.saturating_add(n);
            }
            BusFault::DelayNext(n) => faults.delay_next = faults.delay_next.saturating_add(n),
            BusFault::ReorderWindow(n) => faults.reorder_window = n,
            BusFault::FailNext(n) => faults.fail_next = faults.fail_next.saturating_add(n),
        }
    }

    /// Turns every fault off. Messages already held stay held until
    /// [`Self::release_delayed`] or [`Self::flush`], so nothing is lost by clearing.
    pub fn clear(&self) {
        let mut faults = self.faults();
        faults.drop_next = 0;
        faults.drop_rate = 0.0;
        faults.duplicate_next = 0;
        faults.delay_next = 0;
        faults.reorder_window = 0;
        faults.fail_next = 0;
    }

    /// Publishes the delayed messages, oldest first; returns how many were sent.
    /// Every held message is attempted; the first error is returned.
    pub async fn release_delayed(&self) -> Result<usize, BusError> {
        let batch = std::mem::take(&mut self.faults().delayed);
        self.send(batch, None).await.map(|(sent, _)| sent)
    }

    /// Publishes a partially filled reorder window now, in reverse order; returns
    /// how many were sent.
    pub async fn flush(&self) -> Result<usize, BusError> {
        let batch = self.faults().take_window();
        self.send(batch, None).await.map(|(sent, _)| sent)
    }

    /// How many publishes each fault affected so far.
    pub fn stats(&self) -> ChaosBusStats {
        self.faults().stats
    }

    /// Publishes `batch` in order to the inner bus, attempting every message; the
    /// first error wins, otherwise the count sent and the outcome of `batch[own]`.
    async fn send(
        &self,
        batch: Vec<Held>,
        own: Option<usize>,
    ) -> Result<(usize, Option<PublishOutcome>), BusError> {
        let mut first_error = None;
        let mut own_outcome = None;
        let mut sent = 0;
        for (index, held) in batch.into_iter().enumerate() {
            let result = self
                .inner
                .publish(&held.exchange, &held.routing_key, held.message)
                .await;
            match result {
                Ok(outcome) => {
                    sent += 1;
                    if own == Some(index) {
                        own_outcome = Some(outcome);
                    }
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        match first_error {
            Some(error) => Err(error),
            None => Ok((sent, own_outcome)),
        }
    }
}

#[async_trait]
impl EventBus for ChaosBus {
    async fn declare_exchange(&self, spec: &ExchangeSpec) -> Result<(), BusError> {
        self.inner.declare_exchange(spec).await
    }

    async fn declare_queue(&self, spec: &QueueSpec) -> Result<(), BusError> {
        self.inner.declare_queue(spec).await
    }

    async fn bind_queue(
        &self,
        queue: &str,
        exchange: &str,
        binding_key: &str,
    ) -> Result<(), BusError> {
        self.inner.bind_queue(queue, exchange, binding_key).await
    }

    async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        message: Message,
    ) -> Result<PublishOutcome, BusError> {
        let held = Held {
            exchange: exchange.to_owned(),
            routing_key: routing_key.to_owned(),
            message,
        };
        let plan = self.faults().plan(held);
        match plan {
            Plan::Fail { remaining } => Err(BusError::Unavailable(format!(
                "injected fault: publish to `{exchange}` with key `{routing_key}` failed \
                 ({remaining} more injected failures queued); retry the publish"
            ))),
            Plan::Send { batch, own } => {
                let (_, outcome) = self.send(batch, own).await?;
                Ok(outcome.unwrap_or(PublishOutcome { routed: 1 }))
            }
        }
    }

    async fn consume(
        &self,
        queue: &str,
        options: ConsumeOptions,
    ) -> Result<Box<dyn Consumer>, BusError> {
        self.inner.consume(queue, options).await
    }

    async fn queue_stats(&self, queue: &str) -> Result<QueueStats, BusError> {
        self.inner.queue_stats(queue).await
    }
}
