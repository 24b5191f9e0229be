//! Bulkhead: caps concurrent calls to one dependency and the queue in front of it,
//! so a slow upstream cannot absorb every task of the caller.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use thiserror::Error;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The bulkhead is saturated: no free slot and the queue is full.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error(
    "bulkhead `{name}` is full ({max_concurrent} running, {max_queued} queued); shed load or retry later"
)]
pub struct BulkheadFull {
    /// Bulkhead name.
    pub name: String,
    /// Concurrency cap.
    pub max_concurrent: usize,
    /// Queue cap.
    pub max_queued: usize,
}

/// A concurrency limiter with a bounded wait queue; clones share the limit.
#[derive(Debug, Clone)]
pub struct Bulkhead {
    name: Arc<str>,
    max_concurrent: usize,
    max_queued: usize,
    slots: Arc<Semaphore>,
    queued: Arc<AtomicUsize>,
}

/// A held slot; released on drop.
#[derive(Debug)]
pub struct BulkheadPermit {
    _permit: OwnedSemaphorePermit,
}

struct QueueSlot<'a>(&'a AtomicUsize);

impl Drop for QueueSlot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Bulkhead {
    /// A bulkhead admitting `max_concurrent` calls with `max_queued` waiting.
    pub fn new(name: &str, max_concurrent: usize, max_queued: usize) -> Self {
        Self {
            name: name.into(),
            max_concurrent,
            max_queued,
            slots: Arc::new(Semaphore::new(max_concurrent)),
            queued: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Calls running now.
    pub fn in_flight(&self) -> usize {
        self.max_concurrent - self.slots.available_permits()
    }

    /// Calls waiting now.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Acquire)
    }

    fn full(&self) -> BulkheadFull {
        BulkheadFull {
            name: self.name.to_string(),
            max_concurrent: self.max_concurrent,
            max_queued: self.max_queued,
        }
    }

    /// Takes a slot, waiting in the queue if there is room in it; refuses at once
    /// when both are full.
    pub async fn acquire(&self) -> Result<BulkheadPermit, BulkheadFull> {
        if let Ok(permit) = Arc::clone(&self.slots).try_acquire_owned() {
            return Ok(BulkheadPermit { _permit: permit });
        }
        let reserved = self
            .queued
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |q| {
                (q < self.max_queued).then_some(q + 1)
            });
        if reserved.is_err() {
            return Err(self.full());
        }
        let _slot = QueueSlot(&self.queued);
        let permit = Arc::clone(&self.slots)
            .acquire_owned()
            .await
            .map_err(|_| self.full())?;
        Ok(BulkheadPermit { _permit: permit })
    }
}
