//! The catalog's pure rules: identifiers, metadata values, the lifecycle, the
//! event-sourced aggregate, access policy and listing requests. Nothing here does
//! IO; handlers and the store call into it.

mod access;
mod ids;
mod listing;
mod metadata;
mod status;
mod video;

pub use access::{
    Caller, Denied, ListScope, Viewer, can_create, can_view, check_action, check_edit,
};
pub use ids::{InvalidVideoId, STREAM_PREFIX, VIDEO_ID_PREFIX, VideoId};
pub use listing::{
    Cursor, DEFAULT_LIMIT, ListQuery, ListingError, MAX_LIMIT, MAX_QUERY_CHARS, MAX_SEARCH_LIMIT,
    RawListQuery, RawSearchQuery, SearchQuery, SortField, SortKey, SortOrder, parse_limit,
};
pub use metadata::{
    Description, DurationSecs, Genre, MAX_DESCRIPTION_CHARS, MAX_DURATION_SECS, MAX_TAG_CHARS,
    MAX_TAGS, MAX_TITLE_CHARS, Metadata, MetadataError, MetadataPatch, Tags, Title,
};
pub use status::{Action, UnknownName, VideoStatus};
pub use video::{DomainError, Recorded, ReplayError, Video};
