//! The view counter: consumes `analytics.view.recorded` and adds each view to the
//! video's `views`, which the `views` sort order uses. The bus delivers at least
//! once, so each event id is recorded in `processed_events` in the same
//! transaction as the increment and a redelivery counts nothing.

use std::sync::Arc;

use mediaflow_shared::events::idempotency::ProcessedEvents;
use mediaflow_shared::events::platform::{EVENTS_EXCHANGE, consumer_queue};
use mediaflow_shared::events::{Consumer, Delivery, EventEnvelope, Topology};
use mediaflow_shared::store::StoreError;
use tokio::task::JoinHandle;

use crate::domain::VideoId;
use crate::events::{VIEW_RECORDED, VIEW_RECORDED_TYPE, ViewRecorded};
use crate::repo;
use crate::service::CatalogService;

/// The queue the view counter consumes.
pub const VIEWS_QUEUE: &str = "catalog.view-counts";

/// Name under which processed view events are recorded.
const CONSUMER: &str = "catalog.view-counter";

/// The catalog's queues and bindings (merged with the platform's base topology).
pub fn topology() -> Topology {
    Topology::new().queue(consumer_queue(VIEWS_QUEUE)).bind(
        VIEWS_QUEUE,
        EVENTS_EXCHANGE,
        VIEW_RECORDED,
    )
}

/// What handling one view event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewOutcome {
    /// The view was added.
    Counted,
    /// The event was processed before: nothing added.
    Duplicate,
    /// The video is not in the catalog: recorded as processed, nothing added.
    UnknownVideo,
    /// Another event type on the queue: acknowledged and skipped.
    Ignored,
    /// The message is not a readable view event: dead-lettered.
    Malformed,
    /// The database failed: requeued for another attempt.
    Retry,
}

/// Counts views from analytics events.
#[derive(Debug, Clone)]
pub struct ViewCounter {
    /// The catalog, for its database and cache invalidation.
    service: Arc<CatalogService>,
}

impl ViewCounter {
    /// A counter writing through `service`.
    pub fn new(service: Arc<CatalogService>) -> Self {
        Self { service }
    }

    /// Applies one envelope exactly once; `Err` only for database failures.
    pub async fn handle(&self, envelope: &EventEnvelope) -> Result<ViewOutcome, StoreError> {
        if envelope.event_type != VIEW_RECORDED_TYPE {
            return Ok(ViewOutcome::Ignored);
        }
        let Ok(view) = envelope.decode::<ViewRecorded>() else {
            return Ok(ViewOutcome::Malformed);
        };
        let video = VideoId::parse(&view.video_id).ok();
        let now = self.service.clock().now();
        let mut tx = self.service.database().begin().await?;
        if !ProcessedEvents::record_if_new(tx.as_mut(), CONSUMER, envelope.id, now).await? {
            tx.rollback().await?;
            return Ok(ViewOutcome::Duplicate);
        }
        let counted = match &video {
            Some(id) => repo::add_view(tx.as_mut(), id).await?,
            None => false,
        };
        tx.commit().await?;
        match video.filter(|_| counted) {
            Some(id) => {
                self.service.invalidate(&id).await;
                Ok(ViewOutcome::Counted)
            }
            None => Ok(ViewOutcome::UnknownVideo),
        }
    }

    /// Handles a delivery and settles it: acknowledged when done or skipped,
    /// dead-lettered when unreadable, requeued when the database failed.
    pub async fn process(&self, delivery: Delivery) -> ViewOutcome {
        let outcome = match EventEnvelope::from_delivery(&delivery) {
            Ok(envelope) => self.handle(&envelope).await.unwrap_or(ViewOutcome::Retry),
            Err(_) => ViewOutcome::Malformed,
        };
        // A failed settle leaves the delivery unacknowledged; the broker
        // redelivers it and the processed-events record absorbs the repeat.
        let _ = match outcome {
            ViewOutcome::Malformed => delivery.nack(false).await,
            ViewOutcome::Retry => delivery.nack(true).await,
            _ => delivery.ack().await,
        };
        outcome
    }

    /// Consumes in the background until the returned guard is dropped.
    pub fn spawn(self, mut consumer: Box<dyn Consumer>) -> TaskGuard {
        TaskGuard(tokio::spawn(async move {
            while let Some(delivery) = consumer.next().await {
                self.process(delivery).await;
            }
        }))
    }
}

/// Owns a background task and aborts it when dropped, tying the task's life to
/// its owner (the service's router state).
#[derive(Debug)]
pub struct TaskGuard(JoinHandle<()>);

impl Drop for TaskGuard {
    fn drop(&mut self) {
        self.0.abort();
    }
}
