//! The gateway's router: `/api/home`, `/api/<service>/…` relayed upstream, and the
//! middleware stack around them (outermost first): correlation id, CORS, then the
//! guard (per-IP limit, token check, per-user limit).

mod cors;
mod guard;
mod headers;
mod home;
mod proxy;

use axum::Router;
use axum::http::StatusCode;
use axum::http::header::ALLOW;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::routing::{any, get};
use mediaflow_shared::http::ApiError;

pub use headers::CORRELATION_ID_HEADER;

use crate::error::GatewayError;
use crate::state::AppState;

/// Builds the router over `state`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/home", get(home::home).fallback(method_not_allowed))
        .route("/api/{service}", any(proxy::proxy))
        .route("/api/{service}/{*rest}", any(proxy::proxy))
        .fallback(no_route)
        .layer(from_fn_with_state(state.clone(), guard::guard))
        .layer(from_fn_with_state(state.cors.clone(), cors::cors))
        .layer(from_fn(headers::correlation))
        .with_state(state)
}

async fn no_route() -> GatewayError {
    GatewayError::NoRoute
}

async fn method_not_allowed() -> impl IntoResponse {
    let error = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route only answers GET",
    );
    ([(ALLOW, "GET")], error)
}
