//! The event-sourced video aggregate: commands decide which event a request
//! produces (or why it is refused), and `apply` folds events into state. Both are
//! pure: the caller loads events, appends the decided ones and stores the state.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::ids::VideoId;
use super::metadata::{Metadata, MetadataPatch};
use super::status::{Action, VideoStatus};
use crate::events::{
    VideoArchived, VideoCreated, VideoEvent, VideoProcessed, VideoPublished, VideoSubmitted,
    VideoUnpublished, VideoUpdated,
};

/// A video's current state, folded from its stream (also the snapshot shape).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Video {
    /// Identity.
    pub id: VideoId,
    /// The creator who owns it.
    pub owner_id: String,
    /// Current metadata.
    pub metadata: Metadata,
    /// Lifecycle state.
    pub status: VideoStatus,
    /// Stream version: the number of events folded in.
    pub version: u64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When the last event happened.
    pub updated_at: DateTime<Utc>,
    /// Since when it is published; `None` whenever it is not.
    pub published_at: Option<DateTime<Utc>>,
}

/// A command the aggregate refuses.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// The action does not apply to the video's current state.
    #[error(
        "cannot {action} a video that is {from}: {action} moves a video from {sources} to {to}",
        sources = sources_text(*action)
    )]
    InvalidTransition {
        /// The refused action.
        action: Action,
        /// The state the video is in.
        from: VideoStatus,
        /// The state the action leads to.
        to: VideoStatus,
    },
    /// Archived videos are read-only.
    #[error("the video is archived and can no longer be edited")]
    Archived,
    /// A metadata update that names no field.
    #[error(
        "the update names no field; send at least one of title, description, genre, tags, duration_secs"
    )]
    EmptyPatch,
}

fn sources_text(action: Action) -> String {
    action
        .sources()
        .iter()
        .map(|status| status.as_str())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// A stream that does not fold into a video.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReplayError {
    /// The first event is not a creation.
    #[error("the stream does not start with VideoCreated (found {0} at version 1)")]
    NotCreatedFirst(&'static str),
    /// A second creation inside one stream.
    #[error("VideoCreated appears again at version {0}")]
    CreatedTwice(u64),
    /// An event skips or repeats a version.
    #[error("event version {found} follows version {current}; the stream has a gap")]
    Gap {
        /// The folded version.
        current: u64,
        /// The version of the next event.
        found: u64,
    },
    /// An event of another video.
    #[error("event for video {found} found in the stream of video {expected}")]
    WrongVideo {
        /// The stream's video.
        expected: VideoId,
        /// The event's video.
        found: VideoId,
    },
}

/// One stored event with its position and time, as replay needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The event.
    pub event: VideoEvent,
    /// Its stream version.
    pub version: u64,
    /// When it happened.
    pub at: DateTime<Utc>,
}

impl Video {
    /// The event creating a video: always a draft owned by its creator.
    pub fn create(id: VideoId, owner_id: &str, metadata: Metadata) -> VideoEvent {
        VideoEvent::Created(VideoCreated {
            video_id: id,
            owner_id: owner_id.to_owned(),
            title: metadata.title,
            description: metadata.description,
            genre: metadata.genre,
            tags: metadata.tags,
            duration_secs: metadata.duration_secs,
        })
    }

    /// The state right after creation.
    pub fn started(created: &VideoCreated, at: DateTime<Utc>, version: u64) -> Self {
        Self {
            id: created.video_id.clone(),
            owner_id: created.owner_id.clone(),
            metadata: Metadata {
                title: created.title.clone(),
                description: created.description.clone(),
                genre: created.genre,
                tags: created.tags.clone(),
                duration_secs: created.duration_secs,
            },
            status: VideoStatus::Draft,
            version,
            created_at: at,
            updated_at: at,
            published_at: None,
        }
    }

    /// Folds `events` onto `snapshot` (or onto nothing); `None` when there is
    /// neither. Versions must follow each other without gaps.
    pub fn replay(
        snapshot: Option<Video>,
        events: &[Recorded],
    ) -> Result<Option<Video>, ReplayError> {
        let mut state = snapshot;
        for recorded in events {
            state = Some(match state {
                None => match &recorded.event {
                    VideoEvent::Created(created) if recorded.version == 1 => {
                        Self::started(created, recorded.at, 1)
                    }
                    VideoEvent::Created(_) => {
                        return Err(ReplayError::Gap {
                            current: 0,
                            found: recorded.version,
                        });
                    }
                    other => return Err(ReplayError::NotCreatedFirst(other.event_type())),
                },
                Some(mut video) => {
                    video.apply(recorded)?;
                    video
                }
            });
        }
        Ok(state)
    }

    /// Folds one later event into the state.
    pub fn apply(&mut self, recorded: &Recorded) -> Result<(), ReplayError> {
        if recorded.version != self.version + 1 {
            return Err(ReplayError::Gap {
                current: self.version,
                found: recorded.version,
            });
        }
        let subject = match &recorded.event {
            VideoEvent::Created(_) => return Err(ReplayError::CreatedTwice(recorded.version)),
            VideoEvent::Updated(e) => &e.video_id,
            VideoEvent::Submitted(e) => &e.video_id,
            VideoEvent::Processed(e) => &e.video_id,
            VideoEvent::Published(e) => &e.video_id,
            VideoEvent::Unpublished(e) => &e.video_id,
            VideoEvent::Archived(e) => &e.video_id,
        };
        if *subject != self.id {
            return Err(ReplayError::WrongVideo {
                expected: self.id.clone(),
                found: subject.clone(),
            });
        }
        match &recorded.event {
            VideoEvent::Created(_) => {}
            VideoEvent::Updated(updated) => {
                self.metadata = Metadata {
                    title: updated.title.clone(),
                    description: updated.description.clone(),
                    genre: updated.genre,
                    tags: updated.tags.clone(),
                    duration_secs: updated.duration_secs,
                };
            }
            VideoEvent::Submitted(_) => self.status = VideoStatus::Processing,
            VideoEvent::Processed(_) => self.status = VideoStatus::Ready,
            VideoEvent::Published(_) => {
                self.status = VideoStatus::Published;
                self.published_at = Some(recorded.at);
            }
            VideoEvent::Unpublished(_) => {
                self.status = VideoStatus::Ready;
                self.published_at = None;
            }
            VideoEvent::Archived(_) => {
                self.status = VideoStatus::Archived;
                self.published_at = None;
            }
        }
        self.version = recorded.version;
        self.updated_at = recorded.at;
        Ok(())
    }

    /// Decides a metadata update: `None` when every named field already has the
    /// given value (nothing to record).
    pub fn decide_update(&self, patch: &MetadataPatch) -> Result<Option<VideoEvent>, DomainError> {
        if patch.is_empty() {
            return Err(DomainError::EmptyPatch);
        }
        if self.status == VideoStatus::Archived {
            return Err(DomainError::Archived);
        }
        let (next, changed) = patch.apply_to(&self.metadata);
        if changed.is_empty() {
            return Ok(None);
        }
        Ok(Some(VideoEvent::Updated(VideoUpdated {
            video_id: self.id.clone(),
            title: next.title,
            description: next.description,
            genre: next.genre,
            tags: next.tags,
            duration_secs: next.duration_secs,
            changed: changed.into_iter().map(str::to_owned).collect(),
        })))
    }

    /// Decides a lifecycle action, refusing it when the current state does not
    /// allow it.
    pub fn decide(&self, action: Action) -> Result<VideoEvent, DomainError> {
        if !action.allowed_from(self.status) {
            return Err(DomainError::InvalidTransition {
                action,
                from: self.status,
                to: action.target(),
            });
        }
        let video_id = self.id.clone();
        Ok(match action {
            Action::Submit => VideoEvent::Submitted(VideoSubmitted { video_id }),
            Action::ProcessingComplete => VideoEvent::Processed(VideoProcessed { video_id }),
            Action::Publish => VideoEvent::Published(VideoPublished {
                video_id,
                owner_id: self.owner_id.clone(),
                title: self.metadata.title.clone(),
                genre: self.metadata.genre,
            }),
            Action::Unpublish => VideoEvent::Unpublished(VideoUnpublished { video_id }),
            Action::Archive => VideoEvent::Archived(VideoArchived {
                video_id,
                previous_status: self.status,
            }),
        })
    }
}
