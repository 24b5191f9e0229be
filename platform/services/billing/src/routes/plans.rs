//! `GET /plans`: the public plan catalogue.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::request::json;
use super::state::AppState;
use crate::flows;

/// Lists every plan with its prices.
pub async fn list(State(state): State<AppState>) -> Response {
    match flows::plans(&state.billing).await {
        Ok(plans) => json(StatusCode::OK, serde_json::json!({ "plans": plans })),
        Err(error) => error.into_response(),
    }
}
