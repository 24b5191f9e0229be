//! Response bodies: the wire shape of a video, a list page and a search result,
//! and the headers that travel with a video (`ETag`, `Location`).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::repo::CatalogEntry;
use crate::service::ListPage;

/// A video on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VideoBody {
    /// `vid_…`.
    pub id: String,
    /// The owning creator's user id.
    pub owner_id: String,
    /// Display title.
    pub title: String,
    /// Free text.
    pub description: String,
    /// Genre name.
    pub genre: String,
    /// Search tags.
    pub tags: Vec<String>,
    /// Running time in seconds.
    pub duration_secs: u32,
    /// Lifecycle state.
    pub status: String,
    /// Stream version; also the `ETag`.
    pub version: u64,
    /// Views counted so far.
    pub views: u64,
    /// Creation time (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Time of the last change.
    pub updated_at: DateTime<Utc>,
    /// Publication time; `null` unless published.
    pub published_at: Option<DateTime<Utc>>,
}

impl From<&CatalogEntry> for VideoBody {
    fn from(entry: &CatalogEntry) -> Self {
        let video = &entry.video;
        let m = &video.metadata;
        Self {
            id: video.id.to_string(),
            owner_id: video.owner_id.clone(),
            title: m.title.as_str().to_owned(),
            description: m.description.as_str().to_owned(),
            genre: m.genre.as_str().to_owned(),
            tags: m.tags.as_slice().to_vec(),
            duration_secs: m.duration_secs.get(),
            status: video.status.as_str().to_owned(),
            version: video.version,
            views: entry.views,
            created_at: video.created_at,
            updated_at: video.updated_at,
            published_at: video.published_at,
        }
    }
}

/// A page of `GET /videos`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListBody {
    /// The page's videos.
    pub items: Vec<VideoBody>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl From<&ListPage> for ListBody {
    fn from(page: &ListPage) -> Self {
        Self {
            items: page.items.iter().map(VideoBody::from).collect(),
            next_cursor: page.next_cursor.clone(),
        }
    }
}

/// The result of `GET /search`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchBody {
    /// Matching published videos, best first.
    pub items: Vec<VideoBody>,
}

/// The strong `ETag` of a version: `"3"`.
pub(crate) fn etag(version: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("a quoted number is a valid header")
}

/// A video response with its `ETag`, plus `Location` for a creation.
pub(crate) fn video_response(status: StatusCode, entry: &CatalogEntry) -> Response {
    let mut response = (status, Json(VideoBody::from(entry))).into_response();
    let headers = response.headers_mut();
    headers.insert(header::ETAG, etag(entry.video.version));
    if status == StatusCode::CREATED
        && let Ok(location) = HeaderValue::from_str(&format!("/videos/{}", entry.video.id))
    {
        headers.insert(header::LOCATION, location);
    }
    response
}
