//! `GET /entitlements/{user_id}`: what a user may watch, for the streaming
//! service (called with the viewer's token) and for admins.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mediaflow_shared::http::Authenticated;

use super::request::require_self_or_admin;
use super::state::AppState;
use crate::flows;

/// The user's entitlement now.
pub async fn show(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    Path(user_id): Path<String>,
) -> Response {
    if let Err(error) = require_self_or_admin(&claims, &user_id) {
        return error.into_response();
    }
    match flows::entitlement(&state.billing, &user_id).await {
        Ok(view) => (StatusCode::OK, axum::Json(view)).into_response(),
        Err(error) => error.into_response(),
    }
}
