//! `POST /internal/renewals/run`: one renewal step as of the service's clock,
//! driven by a scheduler (or a test). Admin tokens only: it charges customers.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mediaflow_shared::http::{Authenticated, RequestId};

use super::request::require_admin;
use super::state::AppState;
use crate::flows;

/// Runs the renewal step and reports what it did.
pub async fn run(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    Extension(request_id): Extension<RequestId>,
) -> Response {
    if let Err(error) = require_admin(&claims) {
        return error.into_response();
    }
    match flows::run_renewals(&state.billing, request_id.as_str()).await {
        Ok(report) => (StatusCode::OK, axum::Json(report)).into_response(),
        Err(error) => error.into_response(),
    }
}
