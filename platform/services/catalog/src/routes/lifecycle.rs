//! `POST /videos/{id}/{action}`: submit, processing-complete, publish, unpublish
//! and archive. An optional `If-Match` pins the version the caller acted on.

use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use mediaflow_shared::http::{Authenticated, RequestId};

use super::AppState;
use super::body::video_response;
use super::extract::{if_match, video_id};
use crate::domain::{Action, Caller};
use crate::error::CatalogError;

/// Applies a lifecycle action → 200 with the video in its new state; 409 with
/// both states named when the current state does not allow the action.
pub(crate) async fn transition(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    Authenticated(claims): Authenticated,
    Path((id, action)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, CatalogError> {
    let caller = Caller::from_claims(&claims);
    let id = video_id(&id)?;
    let action: Action = action.parse().map_err(|_| CatalogError::NotFound)?;
    let expected = if_match(&headers)?;
    let entry = state
        .service
        .transition(&caller, &id, action, expected, request_id.as_str())
        .await?;
    Ok(video_response(StatusCode::OK, &entry))
}
