//! Listing and search requests as validated values: page size, filters, the sort
//! column chosen from an allow-list, and the opaque keyset cursor over
//! (sort key, id) that makes the next page start exactly after the last row seen.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::access::ListScope;
use super::ids::VideoId;
use super::metadata::{Genre, MetadataError};
use super::status::{UnknownName, VideoStatus};

/// Page size when the request names none.
pub const DEFAULT_LIMIT: u32 = 20;
/// Largest page.
pub const MAX_LIMIT: u32 = 100;
/// Largest search result.
pub const MAX_SEARCH_LIMIT: u32 = 50;
/// Longest search text, in characters: longer input only costs the database time.
pub const MAX_QUERY_CHARS: usize = 100;
/// Longest cursor accepted, in bytes; a real one is far shorter.
const MAX_CURSOR_BYTES: usize = 2_048;
/// Cursor format version.
const CURSOR_VERSION: u8 = 1;

/// A list or search request that cannot be served.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ListingError {
    /// `limit` out of range or not a number.
    #[error("limit must be a whole number from 1 to {max}, got `{value}`")]
    Limit {
        /// The text given.
        value: String,
        /// The largest allowed.
        max: u32,
    },
    /// A sort column outside the allow-list.
    #[error("sort must be one of published_at, title, views, got `{0}`")]
    Sort(String),
    /// An order other than asc/desc.
    #[error("order must be asc or desc, got `{0}`")]
    Order(String),
    /// An unknown genre.
    #[error(transparent)]
    Genre(#[from] MetadataError),
    /// An unknown status.
    #[error(transparent)]
    Status(#[from] UnknownName),
    /// Only administrators may see unpublished videos.
    #[error("only administrators may list videos that are not published")]
    StatusNotAllowed,
    /// The cursor is damaged or was issued for other filters or another order.
    #[error("the cursor is invalid or belongs to another query; start again from the first page")]
    Cursor,
    /// Missing or blank search text.
    #[error("q is required: send 1 to {MAX_QUERY_CHARS} characters to search for")]
    EmptyQuery,
    /// Search text over the cap.
    #[error("q must be at most {MAX_QUERY_CHARS} characters, got {0}")]
    QueryTooLong(usize),
}

/// The columns a listing may be sorted by; the only text ever placed in ORDER BY.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortField {
    /// Publication time (unpublished videos last in descending order).
    PublishedAt,
    /// Title, case-insensitively.
    Title,
    /// View count.
    Views,
}

impl SortField {
    /// Parses the query parameter.
    pub fn parse(text: &str) -> Result<Self, ListingError> {
        match text {
            "published_at" => Ok(Self::PublishedAt),
            "title" => Ok(Self::Title),
            "views" => Ok(Self::Views),
            other => Err(ListingError::Sort(other.chars().take(40).collect())),
        }
    }

    /// The parameter's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PublishedAt => "published_at",
            Self::Title => "title",
            Self::Views => "views",
        }
    }
}

/// Sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Smallest first.
    Asc,
    /// Largest first.
    Desc,
}

impl SortOrder {
    /// Parses the query parameter.
    pub fn parse(text: &str) -> Result<Self, ListingError> {
        match text {
            "asc" => Ok(Self::Asc),
            "desc" => Ok(Self::Desc),
            other => Err(ListingError::Order(other.chars().take(40).collect())),
        }
    }

    /// The parameter's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }
}

/// The sort value of a row, as the cursor remembers it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SortKey {
    /// Publication time in microseconds (0 when unpublished) or views.
    Int(i64),
    /// Lowercased title.
    Text(String),
}

/// Where the previous page ended.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Cursor {
    /// Sort value of the last row.
    pub key: SortKey,
    /// Id of the last row: the tie-break.
    pub id: VideoId,
}

/// The cursor's wire form: the position plus what it was issued for.
#[derive(Debug, Serialize, Deserialize)]
struct CursorWire {
    v: u8,
    q: String,
    k: SortKey,
    id: VideoId,
}

/// A validated listing request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListQuery {
    /// Only this genre.
    pub genre: Option<Genre>,
    /// Only this status; always `Published` for the public scope.
    pub status: Option<VideoStatus>,
    /// Sort column.
    pub sort: SortField,
    /// Sort direction.
    pub order: SortOrder,
    /// Page size.
    pub limit: u32,
    /// Start after this row.
    pub after: Option<Cursor>,
}

/// A listing request as it arrives: every parameter optional text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct RawListQuery {
    /// `genre=`.
    pub genre: Option<String>,
    /// `status=`.
    pub status: Option<String>,
    /// `sort=`.
    pub sort: Option<String>,
    /// `order=`.
    pub order: Option<String>,
    /// `limit=`.
    pub limit: Option<String>,
    /// `cursor=`.
    pub cursor: Option<String>,
}

/// Parses `limit`: absent means `default`, otherwise 1..=`max`.
pub fn parse_limit(raw: Option<&str>, default: u32, max: u32) -> Result<u32, ListingError> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(default);
    };
    match text.parse::<u32>() {
        Ok(limit) if (1..=max).contains(&limit) => Ok(limit),
        _ => Err(ListingError::Limit {
            value: text.chars().take(20).collect(),
            max,
        }),
    }
}

fn non_blank(value: Option<&String>) -> Option<&str> {
    value.map(|v| v.trim()).filter(|v| !v.is_empty())
}

impl ListQuery {
    /// Validates a request for `scope`: the public scope sees published videos only.
    pub fn parse(raw: &RawListQuery, scope: ListScope) -> Result<Self, ListingError> {
        let genre = non_blank(raw.genre.as_ref())
            .map(str::parse::<Genre>)
            .transpose()?;
        let requested = non_blank(raw.status.as_ref())
            .map(str::parse::<VideoStatus>)
            .transpose()?;
        let status = match (scope, requested) {
            (ListScope::Everything, requested) => requested,
            (ListScope::Public, None | Some(VideoStatus::Published)) => {
                Some(VideoStatus::Published)
            }
            (ListScope::Public, Some(_)) => return Err(ListingError::StatusNotAllowed),
        };
        let sort =
            non_blank(raw.sort.as_ref()).map_or(Ok(SortField::PublishedAt), SortField::parse)?;
        let order = non_blank(raw.order.as_ref()).map_or(Ok(SortOrder::Desc), SortOrder::parse)?;
        let limit = parse_limit(raw.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT)?;
        let mut query = Self {
            genre,
            status,
            sort,
            order,
            limit,
            after: None,
        };
        if let Some(text) = non_blank(raw.cursor.as_ref()) {
            query.after = Some(query.decode_cursor(text)?);
        }
        Ok(query)
    }

    /// What a cursor is bound to: filters, sort and order. A cursor replayed with
    /// other parameters would skip or repeat rows, so it is refused instead.
    fn fingerprint(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.genre.map_or("*", Genre::as_str),
            self.status.map_or("*", VideoStatus::as_str),
            self.sort.as_str(),
            self.order.as_str()
        )
    }

    /// The opaque cursor for the page after `last`.
    pub fn encode_cursor(&self, last: &Cursor) -> String {
        let wire = CursorWire {
            v: CURSOR_VERSION,
            q: self.fingerprint(),
            k: last.key.clone(),
            id: last.id.clone(),
        };
        let json = serde_json::to_vec(&wire).expect("a cursor is plain data and always serialises");
        URL_SAFE_NO_PAD.encode(json)
    }

    /// Reads a cursor issued by [`Self::encode_cursor`] for the same query.
    pub fn decode_cursor(&self, text: &str) -> Result<Cursor, ListingError> {
        if text.len() > MAX_CURSOR_BYTES {
            return Err(ListingError::Cursor);
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(text.as_bytes())
            .map_err(|_| ListingError::Cursor)?;
        let wire: CursorWire = serde_json::from_slice(&bytes).map_err(|_| ListingError::Cursor)?;
        let key_fits = match (&wire.k, self.sort) {
            (SortKey::Int(_), SortField::PublishedAt | SortField::Views) => true,
            (SortKey::Text(text), SortField::Title) => text.len() <= 4 * 200,
            _ => false,
        };
        if wire.v != CURSOR_VERSION || wire.q != self.fingerprint() || !key_fits {
            return Err(ListingError::Cursor);
        }
        Ok(Cursor {
            key: wire.k,
            id: wire.id,
        })
    }

    /// A stable text naming this exact page, for cache keys: every field is a
    /// validated value, so no user text reaches the key unescaped.
    pub fn cache_key_part(&self) -> String {
        let after = self
            .after
            .as_ref()
            .map_or_else(|| "-".to_owned(), |cursor| self.encode_cursor(cursor));
        format!("{}|{}|{}", self.fingerprint(), self.limit, after)
    }
}

/// A validated search request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// The text to find, trimmed and lowercased.
    pub text: String,
    /// Only this genre.
    pub genre: Option<Genre>,
    /// Most results.
    pub limit: u32,
}

/// A search request as it arrives.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct RawSearchQuery {
    /// `q=`.
    pub q: Option<String>,
    /// `genre=`.
    pub genre: Option<String>,
    /// `limit=`.
    pub limit: Option<String>,
}

impl SearchQuery {
    /// Requires 1..=100 characters of search text; genre and limit as for lists.
    pub fn parse(raw: &RawSearchQuery) -> Result<Self, ListingError> {
        let text = raw.q.as_deref().map(str::trim).unwrap_or_default();
        let chars = text.chars().count();
        if chars == 0 {
            return Err(ListingError::EmptyQuery);
        }
        if chars > MAX_QUERY_CHARS {
            return Err(ListingError::QueryTooLong(chars));
        }
        let genre = non_blank(raw.genre.as_ref())
            .map(str::parse::<Genre>)
            .transpose()?;
        let limit = parse_limit(raw.limit.as_deref(), DEFAULT_LIMIT, MAX_SEARCH_LIMIT)?;
        Ok(Self {
            text: text.to_lowercase(),
            genre,
            limit,
        })
    }
}
