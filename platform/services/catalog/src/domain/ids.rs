//! The video identifier: generated from the injected id generator and validated
//! wherever it comes from outside (paths, cursors, events), so a malformed id never
//! reaches a query or a cache key.

use std::fmt;

use mediaflow_shared::ids::IdGenerator;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Prefix of every video id (`vid_<32 hex digits>`).
pub const VIDEO_ID_PREFIX: &str = "vid";

/// Prefix of a video's event stream in the event store.
pub const STREAM_PREFIX: &str = "video-";

/// Hex digits after the prefix: a simple-format UUID.
const HEX_DIGITS: usize = 32;

/// Text that is not a video id.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("`{0}` is not a video id; video ids look like vid_ followed by 32 lowercase hex digits")]
pub struct InvalidVideoId(pub String);

/// Identity of a video, the aggregate id of its stream.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VideoId(String);

impl VideoId {
    /// A fresh id from the deployment's generator (seeded in tests).
    pub fn generate(ids: &IdGenerator) -> Self {
        Self(ids.prefixed(VIDEO_ID_PREFIX))
    }

    /// Accepts exactly `vid_` + 32 lowercase hex digits.
    pub fn parse(text: &str) -> Result<Self, InvalidVideoId> {
        let valid = text
            .strip_prefix(VIDEO_ID_PREFIX)
            .and_then(|rest| rest.strip_prefix('_'))
            .is_some_and(|hex| {
                hex.len() == HEX_DIGITS
                    && hex
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            });
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(InvalidVideoId(text.chars().take(80).collect()))
        }
    }

    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The event-store stream holding this video's history.
    pub fn stream_id(&self) -> String {
        format!("{STREAM_PREFIX}{}", self.0)
    }
}

impl fmt::Display for VideoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for VideoId {
    type Error = InvalidVideoId;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<VideoId> for String {
    fn from(id: VideoId) -> Self {
        id.0
    }
}
