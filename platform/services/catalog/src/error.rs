//! The catalog's errors: [`CatalogError`] for requests, mapped to an HTTP status
//! and a stable code per variant, and [`StartError`] for startup. Store and event
//! store details never reach a client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mediaflow_shared::auth::JwtError;
use mediaflow_shared::event_store::EventStoreError;
use mediaflow_shared::events::TopologyError;
use mediaflow_shared::http::{ApiError, ServiceError};
use mediaflow_shared::store::StoreError;
use thiserror::Error;

use crate::domain::{DomainError, ListingError, MetadataError, ReplayError};
use crate::events::EventDecodeError;

/// Why a catalog request failed.
#[derive(Debug, Error)]
pub enum CatalogError {
    /// The request is malformed (body, header or parameter).
    #[error("{0}")]
    Invalid(String),
    /// A metadata value breaks its rule.
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    /// A list or search parameter is invalid or not allowed.
    #[error(transparent)]
    Listing(#[from] ListingError),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// No such video, or one the caller may not see.
    #[error("no video with this id")]
    NotFound,
    /// The aggregate refused the command.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// A metadata update without `If-Match`.
    #[error(
        "send If-Match with the version you edited (the ETag of GET /videos/{{id}}), e.g. If-Match: \"3\""
    )]
    PreconditionRequired,
    /// `If-Match` names another version than the current one.
    #[error(
        "the video is at version {current}, not {expected}; reload it and apply your change again"
    )]
    VersionMismatch {
        /// The version the client edited.
        expected: u64,
        /// The current version.
        current: u64,
    },
    /// Another request changed the video between load and append.
    #[error("the video was changed by another request at the same time; reload it and retry")]
    ConcurrentChange,
    /// The database is unreachable or busy.
    #[error("the catalog database is unavailable: {0}")]
    Unavailable(StoreError),
    /// Anything else: a bug or corrupt data. The detail stays server-side.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for CatalogError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Unavailable(_) | StoreError::Conflict(_) => Self::Unavailable(err),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<EventStoreError> for CatalogError {
    fn from(err: EventStoreError) -> Self {
        match err {
            EventStoreError::VersionConflict { .. } => Self::ConcurrentChange,
            EventStoreError::Store(store) => store.into(),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<ReplayError> for CatalogError {
    fn from(err: ReplayError) -> Self {
        Self::Internal(format!("video stream does not replay: {err}"))
    }
}

impl From<EventDecodeError> for CatalogError {
    fn from(err: EventDecodeError) -> Self {
        Self::Internal(format!("video stream holds an unreadable event: {err}"))
    }
}

impl CatalogError {
    /// The response body and status: the message for the client, never internals.
    pub fn to_api_error(&self) -> ApiError {
        match self {
            Self::Invalid(_) | Self::Metadata(_) => ApiError::bad_request(self.to_string()),
            Self::Listing(ListingError::StatusNotAllowed) | Self::Forbidden(_) => {
                ApiError::forbidden(self.to_string())
            }
            Self::Listing(_) => ApiError::bad_request(self.to_string()),
            Self::NotFound => ApiError::not_found(self.to_string()),
            Self::Domain(DomainError::EmptyPatch) => ApiError::bad_request(self.to_string()),
            Self::Domain(DomainError::InvalidTransition { .. }) => {
                ApiError::new(StatusCode::CONFLICT, "invalid_transition", self.to_string())
            }
            Self::Domain(DomainError::Archived) | Self::ConcurrentChange => {
                ApiError::conflict(self.to_string())
            }
            Self::PreconditionRequired => ApiError::new(
                StatusCode::PRECONDITION_REQUIRED,
                "precondition_required",
                self.to_string(),
            ),
            Self::VersionMismatch { .. } => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "precondition_failed",
                self.to_string(),
            ),
            Self::Unavailable(_) => {
                ApiError::unavailable("the catalog is temporarily unavailable; retry shortly")
                    .retry_after(1)
            }
            Self::Internal(_) => ApiError::internal(),
        }
    }
}

impl IntoResponse for CatalogError {
    fn into_response(self) -> Response {
        self.to_api_error().into_response()
    }
}

/// Why the catalog service could not start.
#[derive(Debug, Error)]
pub enum StartError {
    /// The schema could not be brought up to date.
    #[error("cannot migrate the catalog database: {0}")]
    Migrate(#[source] StoreError),
    /// The bus refused the topology.
    #[error("cannot declare the catalog's exchanges and queues: {0}")]
    Topology(#[from] TopologyError),
    /// The token settings are unusable.
    #[error("invalid JWT settings for the catalog: {0}")]
    Jwt(#[from] JwtError),
    /// The view counter could not subscribe.
    #[error("cannot consume view events: {0}; check the bus is reachable")]
    Consume(#[source] mediaflow_shared::events::BusError),
    /// The HTTP host failed to start.
    #[error(transparent)]
    Serve(#[from] ServiceError),
}
