//! The write path. Each command loads the video from its stream (snapshot plus
//! later events), checks access and the client's precondition, lets the aggregate
//! decide, and commits the events, the read-model row and the outbox rows in one
//! transaction. After the commit it wakes the relay, invalidates the caches and,
//! every `snapshot_every` versions, saves a snapshot.

use mediaflow_shared::event_store::{EventStore, EventStoreError, ExpectedVersion, Snapshot};
use mediaflow_shared::events::EventId;
use mediaflow_shared::events::outbox::Outbox;
use mediaflow_shared::events::platform::EVENTS_EXCHANGE;
use mediaflow_shared::store::{SqlTransaction, StoreError, is_conflict, retry_conflicts};

use super::CatalogService;
use crate::domain::{
    Action, Caller, Denied, Metadata, MetadataPatch, Recorded, Video, VideoId, can_create,
    check_action, check_edit,
};
use crate::error::CatalogError;
use crate::events::{VideoEvent, published_envelope};
use crate::repo::{self, CatalogEntry};

/// What the client's `If-Match` asked for, carried to the append so a race lost
/// after the check is reported the same way as a stale precondition.
#[derive(Debug, Clone, Copy)]
struct Precondition(Option<u64>);

impl Precondition {
    fn check(self, current: u64) -> Result<(), CatalogError> {
        match self.0 {
            Some(expected) if expected != current => {
                Err(CatalogError::VersionMismatch { expected, current })
            }
            _ => Ok(()),
        }
    }

    /// The error for an append that found the stream moved on to `actual`.
    fn lost_race(self, actual: Option<u64>) -> CatalogError {
        match (self.0, actual) {
            (Some(expected), Some(current)) => CatalogError::VersionMismatch { expected, current },
            _ => CatalogError::ConcurrentChange,
        }
    }
}

/// A transaction aborted for a concurrent one; redoing it from its reads may succeed.
fn lost_to_concurrent(error: &CatalogError) -> bool {
    matches!(error, CatalogError::Unavailable(store) if is_conflict(store))
}

fn denied(denied: Denied, what: &str) -> CatalogError {
    match denied {
        Denied::Hidden => CatalogError::NotFound,
        Denied::Forbidden => CatalogError::Forbidden(format!(
            "only the owner or an administrator may {what} this video"
        )),
    }
}

impl CatalogService {
    /// Creates a draft owned by `caller` (a creator or administrator).
    pub async fn create(
        &self,
        caller: &Caller,
        metadata: Metadata,
        correlation_id: &str,
    ) -> Result<CatalogEntry, CatalogError> {
        if !can_create(caller) {
            return Err(CatalogError::Forbidden(
                "only creators and administrators may create videos".to_owned(),
            ));
        }
        let id = VideoId::generate(&self.ids);
        let event = Video::create(id.clone(), &caller.user_id, metadata);
        self.commit(&id, None, event, Precondition(None), correlation_id)
            .await
    }

    /// Changes metadata, guarded by the version the client edited (`If-Match`).
    /// A patch that changes nothing records nothing and returns the video as is.
    /// A transaction that lost to a concurrent one (PostgreSQL) is redone from
    /// the load, so the loser is refused for the version it no longer matches.
    pub async fn update(
        &self,
        caller: &Caller,
        id: &VideoId,
        if_match: u64,
        patch: &MetadataPatch,
        correlation_id: &str,
    ) -> Result<CatalogEntry, CatalogError> {
        retry_conflicts(
            || self.update_once(caller, id, if_match, patch, correlation_id),
            lost_to_concurrent,
        )
        .await
    }

    async fn update_once(
        &self,
        caller: &Caller,
        id: &VideoId,
        if_match: u64,
        patch: &MetadataPatch,
        correlation_id: &str,
    ) -> Result<CatalogEntry, CatalogError> {
        let video = self.load(id).await?.ok_or(CatalogError::NotFound)?;
        check_edit(caller, video.status, &video.owner_id).map_err(|d| denied(d, "edit"))?;
        let precondition = Precondition(Some(if_match));
        precondition.check(video.version)?;
        match video.decide_update(patch)? {
            Some(event) => {
                self.commit(id, Some(&video), event, precondition, correlation_id)
                    .await
            }
            None => repo::find(self.db.as_ref(), id)
                .await?
                .ok_or(CatalogError::NotFound),
        }
    }

    /// Moves a video through its lifecycle; `if_match`, when given, must name the
    /// current version. Redone from the load after a lost transaction, as
    /// [`Self::update`].
    pub async fn transition(
        &self,
        caller: &Caller,
        id: &VideoId,
        action: Action,
        if_match: Option<u64>,
        correlation_id: &str,
    ) -> Result<CatalogEntry, CatalogError> {
        retry_conflicts(
            || self.transition_once(caller, id, action, if_match, correlation_id),
            lost_to_concurrent,
        )
        .await
    }

    async fn transition_once(
        &self,
        caller: &Caller,
        id: &VideoId,
        action: Action,
        if_match: Option<u64>,
        correlation_id: &str,
    ) -> Result<CatalogEntry, CatalogError> {
        let video = self.load(id).await?.ok_or(CatalogError::NotFound)?;
        check_action(caller, action, video.status, &video.owner_id)
            .map_err(|d| denied(d, action.as_str()))?;
        let precondition = Precondition(if_match);
        precondition.check(video.version)?;
        let event = video.decide(action)?;
        self.commit(id, Some(&video), event, precondition, correlation_id)
            .await
    }

    /// The video folded from its latest snapshot and the events after it; a
    /// snapshot that no longer decodes is ignored and the whole stream replayed.
    pub async fn load(&self, id: &VideoId) -> Result<Option<Video>, CatalogError> {
        let stream = id.stream_id();
        let state = self.events.load(&stream).await?;
        let (snapshot, events) = match state.snapshot {
            None => (None, state.events),
            Some(snapshot) => match serde_json::from_value::<Video>(snapshot.state) {
                Ok(video) => (Some(video), state.events),
                Err(_) => (None, self.events.read(&stream, 1).await?),
            },
        };
        let recorded = events
            .iter()
            .map(|event| {
                Ok(Recorded {
                    event: VideoEvent::decode(event)?,
                    version: event.sequence,
                    at: event.occurred_at,
                })
            })
            .collect::<Result<Vec<_>, CatalogError>>()?;
        Ok(Video::replay(snapshot, &recorded)?)
    }

    /// Appends `event` after `current` (nothing for a creation) and commits it with
    /// the read model and the outbox, then wakes the relay and invalidates caches.
    async fn commit(
        &self,
        id: &VideoId,
        current: Option<&Video>,
        event: VideoEvent,
        precondition: Precondition,
        correlation_id: &str,
    ) -> Result<CatalogEntry, CatalogError> {
        let expected = current.map_or(ExpectedVersion::NoStream, |video| {
            ExpectedVersion::Exact(video.version)
        });
        let mut tx = self.db.begin().await?;
        let written = self
            .write(tx.as_mut(), id, current, event, expected, correlation_id)
            .await;
        let entry = match written {
            Ok(entry) => entry,
            Err(err) => {
                // The transaction's work is discarded either way; a failing
                // rollback adds nothing the caller can act on.
                let _ = tx.rollback().await;
                return Err(match err {
                    EventStoreError::VersionConflict { actual, .. } => {
                        precondition.lost_race(Some(actual))
                    }
                    EventStoreError::Store(StoreError::Constraint(_)) => {
                        precondition.lost_race(None)
                    }
                    other => other.into(),
                });
            }
        };
        tx.commit().await?;
        self.relay.wake();
        self.cache.invalidate(id).await;
        self.snapshot_if_due(&entry.video, current.map_or(0, |video| video.version))
            .await;
        Ok(entry)
    }

    /// The transaction's body: append, fold, read model, outbox.
    async fn write(
        &self,
        tx: &mut dyn SqlTransaction,
        id: &VideoId,
        current: Option<&Video>,
        event: VideoEvent,
        expected: ExpectedVersion,
        correlation_id: &str,
    ) -> Result<CatalogEntry, EventStoreError> {
        let routing_key = event.routing_key();
        let new_event = event.to_new_event(EventId(self.ids.uuid()), correlation_id);
        let (_, stored) = self
            .events
            .append_in(tx, &id.stream_id(), expected, vec![new_event])
            .await?;
        let recorded: Vec<Recorded> = stored
            .iter()
            .map(|envelope| Recorded {
                event: event.clone(),
                version: envelope.sequence,
                at: envelope.occurred_at,
            })
            .collect();
        let corrupt = |detail: String| EventStoreError::Corrupt {
            stream: id.stream_id(),
            detail,
        };
        let video = Video::replay(current.cloned(), &recorded)
            .map_err(|err| corrupt(format!("the appended event does not fold: {err}")))?
            .ok_or_else(|| corrupt("the append stored no event".to_owned()))?;
        let views = if current.is_none() {
            repo::insert(tx, &video).await?;
            0
        } else {
            repo::update(tx, &video).await?.ok_or_else(|| {
                corrupt(
                    "the read model has no row for this video; rebuild it from the stream"
                        .to_owned(),
                )
            })?
        };
        for envelope in &stored {
            Outbox::enqueue(
                tx,
                EVENTS_EXCHANGE,
                routing_key,
                &published_envelope(envelope, id),
            )
            .await?;
        }
        Ok(CatalogEntry { video, views })
    }

    /// Saves a snapshot when the video's version crossed a multiple of
    /// `snapshot_every`. A snapshot only shortens later loads, so a failure to save
    /// one is not the command's failure.
    async fn snapshot_if_due(&self, video: &Video, previous_version: u64) {
        let every = self.snapshot_every;
        if every == 0 || video.version / every == previous_version / every {
            return;
        }
        let Ok(state) = serde_json::to_value(video) else {
            return;
        };
        let snapshot = Snapshot {
            stream_id: video.id.stream_id(),
            version: video.version,
            state,
            taken_at: self.clock.now(),
        };
        let _ = self.events.save_snapshot(snapshot).await;
    }
}
