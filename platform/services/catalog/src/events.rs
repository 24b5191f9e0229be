//! The catalog's events: payload structs (stored in the `video-<id>` stream and
//! published through the outbox), their types and routing keys, the conversion to
//! the envelope other services receive, and the one foreign event it consumes.
//!
//! Every event of a video's stream is published, so the `sequence` consumers see
//! is the stream version and has no gaps.

use mediaflow_shared::event_store::NewEvent;
use mediaflow_shared::events::{EnvelopeError, EventEnvelope, EventId};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::domain::{Description, DurationSecs, Genre, Tags, Title, VideoId, VideoStatus};

/// Routing key of [`VideoCreated`].
pub const VIDEO_CREATED: &str = "catalog.video.created";
/// Routing key of [`VideoUpdated`].
pub const VIDEO_UPDATED: &str = "catalog.video.updated";
/// Routing key of [`VideoSubmitted`].
pub const VIDEO_SUBMITTED: &str = "catalog.video.submitted";
/// Routing key of [`VideoProcessed`].
pub const VIDEO_PROCESSED: &str = "catalog.video.processed";
/// Routing key of [`VideoPublished`].
pub const VIDEO_PUBLISHED: &str = "catalog.video.published";
/// Routing key of [`VideoUnpublished`].
pub const VIDEO_UNPUBLISHED: &str = "catalog.video.unpublished";
/// Routing key of [`VideoArchived`].
pub const VIDEO_ARCHIVED: &str = "catalog.video.archived";

/// Routing key of the analytics event the catalog counts views from.
pub const VIEW_RECORDED: &str = "analytics.view.recorded";
/// Event type of [`ViewRecorded`].
pub const VIEW_RECORDED_TYPE: &str = "ViewRecorded";

/// Payload schema version of every catalog event.
pub const SCHEMA_VERSION: u32 = 1;

/// A video was created as a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoCreated {
    /// The new video.
    pub video_id: VideoId,
    /// The creator who owns it.
    pub owner_id: String,
    /// Initial title.
    pub title: Title,
    /// Initial description.
    pub description: Description,
    /// Initial genre.
    pub genre: Genre,
    /// Initial tags.
    pub tags: Tags,
    /// Running time in seconds.
    pub duration_secs: DurationSecs,
}

/// Metadata changed; carries the full metadata after the change, so consumers
/// never need the previous events to know the current values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoUpdated {
    /// The video.
    pub video_id: VideoId,
    /// Title after the change.
    pub title: Title,
    /// Description after the change.
    pub description: Description,
    /// Genre after the change.
    pub genre: Genre,
    /// Tags after the change.
    pub tags: Tags,
    /// Duration after the change.
    pub duration_secs: DurationSecs,
    /// Names of the fields whose value changed.
    pub changed: Vec<String>,
}

/// A draft was handed to processing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoSubmitted {
    /// The video.
    pub video_id: VideoId,
}

/// Processing finished; the video is ready to publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoProcessed {
    /// The video.
    pub video_id: VideoId,
}

/// A video became visible to viewers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoPublished {
    /// The video.
    pub video_id: VideoId,
    /// Its owner.
    pub owner_id: String,
    /// Its title at publication.
    pub title: Title,
    /// Its genre at publication.
    pub genre: Genre,
}

/// A published video was taken back to ready: caches and recommendations must
/// stop showing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoUnpublished {
    /// The video.
    pub video_id: VideoId,
}

/// A video was retired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoArchived {
    /// The video.
    pub video_id: VideoId,
    /// The state it was archived from.
    pub previous_status: VideoStatus,
}

/// The analytics event the catalog consumes to count views. Only the field the
/// catalog needs is declared; the rest of the payload is ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewRecorded {
    /// The video watched.
    pub video_id: String,
}

/// Any event of a video's stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VideoEvent {
    /// See [`VideoCreated`].
    Created(VideoCreated),
    /// See [`VideoUpdated`].
    Updated(VideoUpdated),
    /// See [`VideoSubmitted`].
    Submitted(VideoSubmitted),
    /// See [`VideoProcessed`].
    Processed(VideoProcessed),
    /// See [`VideoPublished`].
    Published(VideoPublished),
    /// See [`VideoUnpublished`].
    Unpublished(VideoUnpublished),
    /// See [`VideoArchived`].
    Archived(VideoArchived),
}

/// A stored event the catalog cannot read back.
#[derive(Debug, Error)]
pub enum EventDecodeError {
    /// A type this version of the catalog does not know.
    #[error("event type `{0}` is not a catalog video event; upgrade the catalog service")]
    UnknownType(String),
    /// The payload does not match its type.
    #[error(transparent)]
    Payload(#[from] EnvelopeError),
}

impl VideoEvent {
    /// The envelope's `event_type` (PascalCase of the routing key's last words).
    pub fn event_type(&self) -> &'static str {
        match self {
            Self::Created(_) => "VideoCreated",
            Self::Updated(_) => "VideoUpdated",
            Self::Submitted(_) => "VideoSubmitted",
            Self::Processed(_) => "VideoProcessed",
            Self::Published(_) => "VideoPublished",
            Self::Unpublished(_) => "VideoUnpublished",
            Self::Archived(_) => "VideoArchived",
        }
    }

    /// The routing key it is published with.
    pub fn routing_key(&self) -> &'static str {
        match self {
            Self::Created(_) => VIDEO_CREATED,
            Self::Updated(_) => VIDEO_UPDATED,
            Self::Submitted(_) => VIDEO_SUBMITTED,
            Self::Processed(_) => VIDEO_PROCESSED,
            Self::Published(_) => VIDEO_PUBLISHED,
            Self::Unpublished(_) => VIDEO_UNPUBLISHED,
            Self::Archived(_) => VIDEO_ARCHIVED,
        }
    }

    /// The payload as JSON.
    pub fn payload(&self) -> serde_json::Value {
        let value = match self {
            Self::Created(event) => serde_json::to_value(event),
            Self::Updated(event) => serde_json::to_value(event),
            Self::Submitted(event) => serde_json::to_value(event),
            Self::Processed(event) => serde_json::to_value(event),
            Self::Published(event) => serde_json::to_value(event),
            Self::Unpublished(event) => serde_json::to_value(event),
            Self::Archived(event) => serde_json::to_value(event),
        };
        value.expect("catalog event payloads are plain data and always serialise")
    }

    /// The event ready to append: correlated with the request that caused it.
    pub fn to_new_event(&self, id: EventId, correlation_id: &str) -> NewEvent {
        NewEvent::new(id, self.event_type(), self.payload())
            .correlated(correlation_id)
            .schema(SCHEMA_VERSION)
    }

    /// Reads a stored event back.
    pub fn decode(envelope: &EventEnvelope) -> Result<Self, EventDecodeError> {
        Ok(match envelope.event_type.as_str() {
            "VideoCreated" => Self::Created(envelope.decode()?),
            "VideoUpdated" => Self::Updated(envelope.decode()?),
            "VideoSubmitted" => Self::Submitted(envelope.decode()?),
            "VideoProcessed" => Self::Processed(envelope.decode()?),
            "VideoPublished" => Self::Published(envelope.decode()?),
            "VideoUnpublished" => Self::Unpublished(envelope.decode()?),
            "VideoArchived" => Self::Archived(envelope.decode()?),
            other => return Err(EventDecodeError::UnknownType(other.to_owned())),
        })
    }
}

/// The routing key of a catalog event type.
pub fn routing_key_of(event_type: &str) -> Option<&'static str> {
    Some(match event_type {
        "VideoCreated" => VIDEO_CREATED,
        "VideoUpdated" => VIDEO_UPDATED,
        "VideoSubmitted" => VIDEO_SUBMITTED,
        "VideoProcessed" => VIDEO_PROCESSED,
        "VideoPublished" => VIDEO_PUBLISHED,
        "VideoUnpublished" => VIDEO_UNPUBLISHED,
        "VideoArchived" => VIDEO_ARCHIVED,
        _ => return None,
    })
}

/// The envelope other services receive for a stored event: the same id, type,
/// sequence, time, correlation and payload, with `aggregate_id` the video id
/// instead of the internal stream name.
pub fn published_envelope(stored: &EventEnvelope, video_id: &VideoId) -> EventEnvelope {
    EventEnvelope {
        aggregate_id: video_id.as_str().to_owned(),
        ..stored.clone()
    }
}
