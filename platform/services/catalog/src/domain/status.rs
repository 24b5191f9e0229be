//! The video lifecycle: its states and the actions that move a video between them.
//!
//! ```text
//! draft --submit--> processing --processing-complete--> ready --publish--> published
//!                                                       ready <--unpublish-- published
//! any state but archived --archive--> archived
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Where a video is in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VideoStatus {
    /// Created, metadata editable, no media processed yet.
    Draft,
    /// Submitted; the media is being transcoded.
    Processing,
    /// Transcoded and playable, not visible to viewers.
    Ready,
    /// Visible to everyone.
    Published,
    /// Retired for good; read-only.
    Archived,
}

impl VideoStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [VideoStatus; 5] = [
        Self::Draft,
        Self::Processing,
        Self::Ready,
        Self::Published,
        Self::Archived,
    ];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Processing => "processing",
            Self::Ready => "ready",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }
}

impl fmt::Display for VideoStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Text that names no status or action.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{value}` is not a valid {what}; use one of {allowed}")]
pub struct UnknownName {
    /// The text given (shortened).
    pub value: String,
    /// `status` or `action`.
    pub what: &'static str,
    /// The accepted names.
    pub allowed: String,
}

impl FromStr for VideoStatus {
    type Err = UnknownName;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
            .ok_or_else(|| UnknownName {
                value: text.chars().take(40).collect(),
                what: "status",
                allowed: Self::ALL.map(Self::as_str).join(", "),
            })
    }
}

/// A lifecycle command, as named in `POST /videos/{id}/{action}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Hand a draft to processing.
    Submit,
    /// Mark processing finished (what the transcoder reports).
    ProcessingComplete,
    /// Make a ready video visible.
    Publish,
    /// Take a published video back to ready.
    Unpublish,
    /// Retire a video from any state but archived.
    Archive,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 5] = [
        Self::Submit,
        Self::ProcessingComplete,
        Self::Publish,
        Self::Unpublish,
        Self::Archive,
    ];

    /// The path segment naming the action.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::ProcessingComplete => "processing-complete",
            Self::Publish => "publish",
            Self::Unpublish => "unpublish",
            Self::Archive => "archive",
        }
    }

    /// The state the action leads to.
    pub fn target(self) -> VideoStatus {
        match self {
            Self::Submit => VideoStatus::Processing,
            Self::ProcessingComplete | Self::Unpublish => VideoStatus::Ready,
            Self::Publish => VideoStatus::Published,
            Self::Archive => VideoStatus::Archived,
        }
    }

    /// The states the action may start from.
    pub fn sources(self) -> &'static [VideoStatus] {
        match self {
            Self::Submit => &[VideoStatus::Draft],
            Self::ProcessingComplete => &[VideoStatus::Processing],
            Self::Publish => &[VideoStatus::Ready],
            Self::Unpublish => &[VideoStatus::Published],
            Self::Archive => &[
                VideoStatus::Draft,
                VideoStatus::Processing,
                VideoStatus::Ready,
                VideoStatus::Published,
            ],
        }
    }

    /// Whether a video in `from` may take this action.
    pub fn allowed_from(self, from: VideoStatus) -> bool {
        self.sources().contains(&from)
    }

    /// Actions only an administrator may take: visibility is an editorial decision,
    /// and completion of processing is reported by the platform, not the owner.
    pub fn admin_only(self) -> bool {
        matches!(
            self,
            Self::Publish | Self::Unpublish | Self::ProcessingComplete
        )
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Action {
    type Err = UnknownName;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|action| action.as_str() == text)
            .ok_or_else(|| UnknownName {
                value: text.chars().take(40).collect(),
                what: "action",
                allowed: Self::ALL.map(Self::as_str).join(", "),
            })
    }
}
