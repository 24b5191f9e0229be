//! Per-aggregate ordering for projections (pure, no IO): a bus may deliver an
//! aggregate's events out of order or twice, but a read model must apply them in
//! sequence exactly once. Early arrivals wait in a bounded buffer until the gap
//! before them is filled.

use std::collections::BTreeMap;

use thiserror::Error;

use crate::events::EventEnvelope;

/// What to do with an offered event.
#[derive(Debug, Clone, PartialEq)]
pub enum Offer {
    /// Apply these now, in this order: the offered event followed by every
    /// buffered successor that became contiguous with it.
    Ready(Vec<EventEnvelope>),
    /// Held back until the events before it arrive.
    Buffered,
    /// Already applied or already buffered: ignore it.
    Duplicate,
}

/// An aggregate whose projection is stuck waiting for a missing event.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Gap {
    /// The aggregate.
    pub aggregate_id: String,
    /// The sequence the projection needs next (the first missing one).
    pub expected: u64,
    /// The lowest sequence waiting in the buffer.
    pub buffered_from: u64,
}

/// Errors of the ordered projection.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ProjectionError {
    /// Too many events are waiting behind a gap for one aggregate.
    #[error(
        "projection buffer for aggregate `{aggregate_id}` is full ({capacity} events wait for \
         sequence {expected}); redeliver the missing event or rebuild the projection from the \
         event store"
    )]
    BufferFull {
        /// The aggregate.
        aggregate_id: String,
        /// The buffer's capacity per aggregate.
        capacity: usize,
        /// The missing sequence.
        expected: u64,
    },
    /// Sequence 0 does not exist: streams start at 1.
    #[error(
        "event of aggregate `{aggregate_id}` has sequence 0; sequences start at 1, so the \
         producer is not setting them"
    )]
    InvalidSequence {
        /// The aggregate.
        aggregate_id: String,
    },
}

/// Releases each aggregate's events in sequence order, exactly once.
#[derive(Debug, Clone)]
pub struct OrderedProjection {
    /// Early events held per aggregate before the projection fails.
    max_buffered_per_aggregate: usize,
    /// Next sequence to apply per aggregate; absent means 1.
    next: BTreeMap<String, u64>,
    /// Early arrivals per aggregate, by sequence.
    buffered: BTreeMap<String, BTreeMap<u64, EventEnvelope>>,
}

impl OrderedProjection {
    /// A projection that holds at most `max_buffered_per_aggregate` early events
    /// for any one aggregate.
    pub fn new(max_buffered_per_aggregate: usize) -> Self {
        Self {
            max_buffered_per_aggregate,
            next: BTreeMap::new(),
            buffered: BTreeMap::new(),
        }
    }

    /// Continues from a persisted position: `last_applied` is the last sequence the
    /// read model applied for `aggregate_id`. Buffered events at or before it are
    /// dropped; the ones it makes contiguous are returned, to apply now.
    pub fn resume(&mut self, aggregate_id: &str, last_applied: u64) -> Vec<EventEnvelope> {
        let next = last_applied.saturating_add(1);
        self.next.insert(aggregate_id.to_owned(), next);
        let Some(waiting) = self.buffered.get_mut(aggregate_id) else {
            return Vec::new();
        };
        waiting.retain(|sequence, _| *sequence >= next);
        self.release(aggregate_id, next)
    }

    /// The next sequence the projection will apply for an aggregate.
    pub fn next_expected(&self, aggregate_id: &str) -> u64 {
        self.next.get(aggregate_id).copied().unwrap_or(1)
    }

    /// Events waiting behind gaps, over all aggregates.
    pub fn buffered_len(&self) -> usize {
        self.buffered.values().map(BTreeMap::len).sum()
    }

    /// Offers an event in arrival order; see [`Offer`].
    pub fn offer(&mut self, event: EventEnvelope) -> Result<Offer, ProjectionError> {
        if event.sequence == 0 {
            return Err(ProjectionError::InvalidSequence {
                aggregate_id: event.aggregate_id,
            });
        }
        let next = self.next_expected(&event.aggregate_id);
        if event.sequence < next {
            return Ok(Offer::Duplicate);
        }
        if event.sequence == next {
            let aggregate_id = event.aggregate_id.clone();
            let mut ready = vec![event];
            ready.extend(self.release(&aggregate_id, next + 1));
            if ready.len() == 1 {
                self.next.insert(aggregate_id, next + 1);
            }
            return Ok(Offer::Ready(ready));
        }
        let waiting = self.buffered.entry(event.aggregate_id.clone()).or_default();
        if waiting.contains_key(&event.sequence) {
            return Ok(Offer::Duplicate);
        }
        if waiting.len() >= self.max_buffered_per_aggregate {
            let aggregate_id = event.aggregate_id;
            if waiting.is_empty() {
                self.buffered.remove(&aggregate_id);
            }
            return Err(ProjectionError::BufferFull {
                aggregate_id,
                capacity: self.max_buffered_per_aggregate,
                expected: next,
            });
        }
        waiting.insert(event.sequence, event);
        Ok(Offer::Buffered)
    }

    /// Aggregates waiting for a missing event, sorted by aggregate id.
    pub fn gaps(&self) -> Vec<Gap> {
        self.buffered
            .iter()
            .filter_map(|(aggregate_id, waiting)| {
                waiting.keys().next().map(|&buffered_from| Gap {
                    aggregate_id: aggregate_id.clone(),
                    expected: self.next_expected(aggregate_id),
                    buffered_from,
                })
            })
            .collect()
    }

    /// Takes the buffered events contiguous from `from` and moves the aggregate's
    /// next expected sequence past them.
    fn release(&mut self, aggregate_id: &str, from: u64) -> Vec<EventEnvelope> {
        let mut released = Vec::new();
        let mut next = from;
        if let Some(waiting) = self.buffered.get_mut(aggregate_id) {
            while let Some(event) = waiting.remove(&next) {
                released.push(event);
                next += 1;
            }
            if waiting.is_empty() {
                self.buffered.remove(aggregate_id);
            }
        }
        if !released.is_empty() {
            self.next.insert(aggregate_id.to_owned(), next);
        }
        released
    }
}
