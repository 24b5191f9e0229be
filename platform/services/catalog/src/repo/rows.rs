//! Single read-model rows: the entry type (what reads return and the cache keeps),
//! its decoding, and the writes done inside a command's transaction.

use mediaflow_shared::params;
use mediaflow_shared::store::{
    Row, SqlStore, SqlTransaction, StoreError, micros_to_timestamp, timestamp_to_micros,
};
use serde::{Deserialize, Serialize};

use crate::domain::{
    Description, DurationSecs, Genre, Metadata, Tags, Title, Video, VideoId, VideoStatus,
};

/// The columns every read selects and [`decode`] reads, as a literal so queries
/// can be assembled with `concat!` at compile time.
macro_rules! entry_columns {
    () => {
        "id, owner_id, title, description, genre, tags, duration_secs, status, version, \
         created_at, updated_at, published_at, views"
    };
}
pub(crate) use entry_columns;

const SELECT_ONE: &str = concat!("SELECT ", entry_columns!(), " FROM videos WHERE id = $1");

const INSERT: &str = "INSERT INTO videos (id, owner_id, title, title_key, description, genre, \
    tags, search_text, duration_secs, status, version, created_at, updated_at, published_at, \
    views) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0)";

const UPDATE: &str = "UPDATE videos SET title = $2, title_key = $3, description = $4, \
    genre = $5, tags = $6, search_text = $7, duration_secs = $8, status = $9, version = $10, \
    updated_at = $11, published_at = $12 WHERE id = $1 RETURNING views";

const ADD_VIEW: &str = "UPDATE videos SET views = views + 1 WHERE id = $1";

/// A video as the catalog serves it: the aggregate's state plus the view count,
/// which is not part of the aggregate (views are counted from analytics events).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    /// The aggregate's state at its latest version.
    pub video: Video,
    /// Views counted so far.
    pub views: u64,
}

/// Lowercase text that `LIKE` searches match against.
fn search_text(metadata: &Metadata) -> String {
    format!(
        "{}\n{}\n{}",
        metadata.title.sort_key(),
        metadata.description.as_str().to_lowercase(),
        metadata.tags.as_slice().join(" ")
    )
}

fn tags_json(tags: &Tags) -> String {
    serde_json::to_string(tags.as_slice()).expect("a list of strings always serialises")
}

fn to_int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// Inserts the row of a newly created video.
pub async fn insert(tx: &mut dyn SqlTransaction, video: &Video) -> Result<(), StoreError> {
    let m = &video.metadata;
    tx.execute(
        INSERT,
        &params![
            video.id.as_str(),
            video.owner_id.as_str(),
            m.title.as_str(),
            m.title.sort_key(),
            m.description.as_str(),
            m.genre.as_str(),
            tags_json(&m.tags),
            search_text(m),
            i64::from(m.duration_secs.get()),
            video.status.as_str(),
            to_int(video.version),
            timestamp_to_micros(video.created_at),
            timestamp_to_micros(video.updated_at),
            video.published_at.map(timestamp_to_micros),
        ],
    )
    .await?;
    Ok(())
}

/// Rewrites a video's row to its new state; the row's view count, or `None` when
/// the row is missing (the read model lost a video: rebuild it from the streams).
pub async fn update(tx: &mut dyn SqlTransaction, video: &Video) -> Result<Option<u64>, StoreError> {
    let m = &video.metadata;
    let rows = tx
        .query(
            UPDATE,
            &params![
                video.id.as_str(),
                m.title.as_str(),
                m.title.sort_key(),
                m.description.as_str(),
                m.genre.as_str(),
                tags_json(&m.tags),
                search_text(m),
                i64::from(m.duration_secs.get()),
                video.status.as_str(),
                to_int(video.version),
                timestamp_to_micros(video.updated_at),
                video.published_at.map(timestamp_to_micros),
            ],
        )
        .await?;
    rows.first()
        .map(|row| non_negative(row, "views"))
        .transpose()
}

/// Counts one view; false when the video is unknown.
pub async fn add_view(tx: &mut dyn SqlTransaction, id: &VideoId) -> Result<bool, StoreError> {
    Ok(tx.execute(ADD_VIEW, &params![id.as_str()]).await? == 1)
}

/// The row of one video.
pub async fn find(store: &dyn SqlStore, id: &VideoId) -> Result<Option<CatalogEntry>, StoreError> {
    let rows = store.query(SELECT_ONE, &params![id.as_str()]).await?;
    rows.first().map(decode).transpose()
}

fn corrupt(column: &str, expected: &'static str, found: impl Into<String>) -> StoreError {
    StoreError::Decode {
        column: column.to_owned(),
        expected,
        found: found.into(),
    }
}

fn non_negative(row: &Row, column: &str) -> Result<u64, StoreError> {
    let value: i64 = row.get(column)?;
    u64::try_from(value).map_err(|_| corrupt(column, "a non-negative integer", value.to_string()))
}

fn timestamp(micros: i64, column: &str) -> Result<chrono::DateTime<chrono::Utc>, StoreError> {
    micros_to_timestamp(micros).ok_or_else(|| corrupt(column, "a timestamp", micros.to_string()))
}

/// Rebuilds an entry from a row selected with `entry_columns!()`; values that break the
/// domain's rules are reported as decode errors, never served.
pub(crate) fn decode(row: &Row) -> Result<CatalogEntry, StoreError> {
    let text = |column: &str| row.get::<String>(column);
    let id = VideoId::parse(&text("id")?).map_err(|e| corrupt("id", "a video id", e.0))?;
    let title =
        Title::parse(&text("title")?).map_err(|e| corrupt("title", "a title", e.to_string()))?;
    let description = Description::parse(&text("description")?)
        .map_err(|e| corrupt("description", "a description", e.to_string()))?;
    let genre: Genre = text("genre")?
        .parse()
        .map_err(|e: crate::domain::MetadataError| corrupt("genre", "a genre", e.to_string()))?;
    let raw_tags: Vec<String> = serde_json::from_str(&text("tags")?)
        .map_err(|e| corrupt("tags", "a JSON list of tags", e.to_string()))?;
    let tags = Tags::parse(&raw_tags).map_err(|e| corrupt("tags", "tags", e.to_string()))?;
    let duration_secs = DurationSecs::new(non_negative(row, "duration_secs")?)
        .map_err(|e| corrupt("duration_secs", "a duration", e.to_string()))?;
    let status: VideoStatus = text("status")?
        .parse()
        .map_err(|e: crate::domain::UnknownName| corrupt("status", "a status", e.to_string()))?;
    let published_at = row
        .get::<Option<i64>>("published_at")?
        .map(|micros| timestamp(micros, "published_at"))
        .transpose()?;
    Ok(CatalogEntry {
        video: Video {
            id,
            owner_id: text("owner_id")?,
            metadata: Metadata {
                title,
                description,
                genre,
                tags,
                duration_secs,
            },
            status,
            version: non_negative(row, "version")?,
            created_at: timestamp(row.get("created_at")?, "created_at")?,
            updated_at: timestamp(row.get("updated_at")?, "updated_at")?,
            published_at,
        },
        views: non_negative(row, "views")?,
    })
}
