//! Video metadata as validated values: title, description, genre, tags and
//! duration. Each has one constructor that enforces its rules, so handlers, the
//! aggregate and the read model only ever see valid metadata.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 5_000;
/// Most tags on one video.
pub const MAX_TAGS: usize = 10;
/// Longest tag, in characters.
pub const MAX_TAG_CHARS: usize = 32;
/// Longest video: twelve hours.
pub const MAX_DURATION_SECS: u32 = 12 * 3600;

/// A metadata field that breaks its rule; the message names the field and the rule.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MetadataError {
    /// Blank or too long title.
    #[error("title must be 1 to {MAX_TITLE_CHARS} characters without control characters")]
    Title,
    /// Too long description or control characters in it.
    #[error(
        "description must be at most {MAX_DESCRIPTION_CHARS} characters; only newlines and tabs \
         are allowed as control characters"
    )]
    Description,
    /// A genre outside the catalog's list.
    #[error("genre `{0}` is unknown; use one of {list}", list = Genre::list())]
    Genre(String),
    /// Too many tags, or a tag with other characters than `a-z`, `0-9`, `-`.
    #[error(
        "tags must be at most {MAX_TAGS} values of 1 to {MAX_TAG_CHARS} characters from a-z, 0-9 \
         and -; `{0}` is not"
    )]
    Tag(String),
    /// Too many tags.
    #[error("at most {MAX_TAGS} tags are allowed, got {0}")]
    TooManyTags(usize),
    /// Zero or too long.
    #[error("duration_secs must be between 1 and {MAX_DURATION_SECS}, got {0}")]
    Duration(u64),
}

/// The display title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Title(String);

impl Title {
    /// Trims, then requires 1..=200 characters and no control characters.
    pub fn parse(text: &str) -> Result<Self, MetadataError> {
        let trimmed = text.trim();
        let chars = trimmed.chars().count();
        if chars == 0 || chars > MAX_TITLE_CHARS || trimmed.chars().any(char::is_control) {
            return Err(MetadataError::Title);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The title text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key titles sort and match by: lowercase, so ordering and search do not
    /// depend on the database's collation.
    pub fn sort_key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl TryFrom<String> for Title {
    type Error = MetadataError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Title> for String {
    fn from(value: Title) -> Self {
        value.0
    }
}

/// The free-text description.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Description(String);

impl Description {
    /// Trims, then requires at most 5000 characters; newlines and tabs are the only
    /// control characters kept.
    pub fn parse(text: &str) -> Result<Self, MetadataError> {
        let trimmed = text.trim();
        let bad_control = trimmed
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t');
        if trimmed.chars().count() > MAX_DESCRIPTION_CHARS || bad_control {
            return Err(MetadataError::Description);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The description text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Description {
    type Error = MetadataError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Description> for String {
    fn from(value: Description) -> Self {
        value.0
    }
}

/// The catalog's genres: a closed list, so genre filters are validated values and
/// the genre facet stays small.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Genre {
    /// Action films and series.
    Action,
    /// Animated works.
    Animation,
    /// Comedy.
    Comedy,
    /// Documentaries.
    Documentary,
    /// Drama.
    Drama,
    /// Courses and tutorials.
    Education,
    /// Horror.
    Horror,
    /// Concerts and music videos.
    Music,
    /// News.
    News,
    /// Sports events and highlights.
    Sports,
    /// Thrillers.
    Thriller,
    /// Travel.
    Travel,
}

impl Genre {
    /// Every genre, in alphabetical order.
    pub const ALL: [Genre; 12] = [
        Self::Action,
        Self::Animation,
        Self::Comedy,
        Self::Documentary,
        Self::Drama,
        Self::Education,
        Self::Horror,
        Self::Music,
        Self::News,
        Self::Sports,
        Self::Thriller,
        Self::Travel,
    ];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Action => "action",
            Self::Animation => "animation",
            Self::Comedy => "comedy",
            Self::Documentary => "documentary",
            Self::Drama => "drama",
            Self::Education => "education",
            Self::Horror => "horror",
            Self::Music => "music",
            Self::News => "news",
            Self::Sports => "sports",
            Self::Thriller => "thriller",
            Self::Travel => "travel",
        }
    }

    /// The names joined for error messages.
    fn list() -> String {
        Self::ALL.map(Self::as_str).join(", ")
    }
}

impl FromStr for Genre {
    type Err = MetadataError;

    /// Case-insensitive, surrounding blanks ignored.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let wanted = text.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|genre| genre.as_str() == wanted)
            .ok_or_else(|| MetadataError::Genre(text.chars().take(40).collect()))
    }
}

impl fmt::Display for Genre {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Search tags: lowercase slugs, deduplicated, in the order first given.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct Tags(Vec<String>);

impl Tags {
    /// Lowercases and trims each tag, drops repeats, then checks count and charset.
    pub fn parse<S: AsRef<str>>(raw: &[S]) -> Result<Self, MetadataError> {
        let mut tags: Vec<String> = Vec::with_capacity(raw.len());
        for tag in raw {
            let tag = tag.as_ref().trim().to_lowercase();
            let valid = !tag.is_empty()
                && tag.chars().count() <= MAX_TAG_CHARS
                && tag
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !valid {
                return Err(MetadataError::Tag(tag.chars().take(40).collect()));
            }
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        if tags.len() > MAX_TAGS {
            return Err(MetadataError::TooManyTags(tags.len()));
        }
        Ok(Self(tags))
    }

    /// The tags in order.
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

impl TryFrom<Vec<String>> for Tags {
    type Error = MetadataError;
    fn try_from(value: Vec<String>) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Tags> for Vec<String> {
    fn from(value: Tags) -> Self {
        value.0
    }
}

/// Running time in whole seconds, 1..=43200.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u32")]
pub struct DurationSecs(u32);

impl DurationSecs {
    /// Accepts 1..=43200 seconds.
    pub fn new(secs: u64) -> Result<Self, MetadataError> {
        match u32::try_from(secs) {
            Ok(value) if (1..=MAX_DURATION_SECS).contains(&value) => Ok(Self(value)),
            _ => Err(MetadataError::Duration(secs)),
        }
    }

    /// The number of seconds.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u64> for DurationSecs {
    type Error = MetadataError;
    fn try_from(value: u64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<DurationSecs> for u32 {
    fn from(value: DurationSecs) -> Self {
        value.0
    }
}

/// Everything a new video is created with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// Display title.
    pub title: Title,
    /// Free text.
    pub description: Description,
    /// Genre from the closed list.
    pub genre: Genre,
    /// Search tags.
    pub tags: Tags,
    /// Running time.
    pub duration_secs: DurationSecs,
}

/// A partial metadata change; `None` leaves a field as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MetadataPatch {
    /// New title.
    pub title: Option<Title>,
    /// New description.
    pub description: Option<Description>,
    /// New genre.
    pub genre: Option<Genre>,
    /// New tags (replacing all of them).
    pub tags: Option<Tags>,
    /// New duration.
    pub duration_secs: Option<DurationSecs>,
}

impl MetadataPatch {
    /// Whether the patch names no field at all.
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.genre.is_none()
            && self.tags.is_none()
            && self.duration_secs.is_none()
    }

    /// `current` with the patch applied, and the names of the fields whose value
    /// actually changes (in field order).
    pub fn apply_to(&self, current: &Metadata) -> (Metadata, Vec<&'static str>) {
        let mut next = current.clone();
        let mut changed = Vec::new();
        if let Some(title) = self.title.as_ref().filter(|t| **t != current.title) {
            next.title = title.clone();
            changed.push("title");
        }
        if let Some(description) = self
            .description
            .as_ref()
            .filter(|d| **d != current.description)
        {
            next.description = description.clone();
            changed.push("description");
        }
        if let Some(genre) = self.genre.filter(|g| *g != current.genre) {
            next.genre = genre;
            changed.push("genre");
        }
        if let Some(tags) = self.tags.as_ref().filter(|t| **t != current.tags) {
            next.tags = tags.clone();
            changed.push("tags");
        }
        if let Some(duration) = self.duration_secs.filter(|d| *d != current.duration_secs) {
            next.duration_secs = duration;
            changed.push("duration_secs");
        }
        (next, changed)
    }
}
