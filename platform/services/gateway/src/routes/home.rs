//! `GET /api/home`: trending videos, recommendations and watch history fetched in
//! parallel, each within its own time budget; a part that fails or is late
//! degrades to `null` instead of failing the page.

use std::time::Duration;

use axum::Json;
use axum::extract::{Extension, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use mediaflow_shared::http::{Authenticated, RequestId, UpstreamRequest};
use mediaflow_shared::resilience::with_timeout;
use serde_json::Value;

use super::headers::{CORRELATION_ID_HEADER, FORWARDED_FOR_HEADER};
use crate::domain::home::{HomePage, HomePart};
use crate::domain::paths::encode_segment;
use crate::error::GatewayError;
use crate::state::{AppState, ClientAddr};

/// Aggregates the home page for the caller.
pub async fn home(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    Extension(client): Extension<ClientAddr>,
    Authenticated(claims): Authenticated,
    headers: HeaderMap,
) -> Result<Json<HomePage>, GatewayError> {
    let user = encode_segment(&claims.sub);
    let mut base = UpstreamRequest::get("/")
        .request_id(&request_id)
        .header(CORRELATION_ID_HEADER, request_id.as_str())
        .header(FORWARDED_FOR_HEADER, &client.forwarded_for);
    if let Some(authorization) = headers.get(AUTHORIZATION) {
        base.headers.insert(AUTHORIZATION, authorization.clone());
    }
    let with_path = |path: String| {
        let mut request = base.clone();
        request.path = path;
        request
    };
    let (trending, recommendations, history) = tokio::join!(
        fetch(
            &state,
            HomePart::Trending,
            with_path("/videos?limit=10".to_owned()),
            state.home.trending
        ),
        fetch(
            &state,
            HomePart::Recommendations,
            with_path(format!("/recommendations/{user}")),
            state.home.recommendations,
        ),
        fetch(
            &state,
            HomePart::History,
            with_path(format!("/users/{user}/history")),
            state.home.history
        ),
    );
    HomePage::assemble(trending, recommendations, history)
        .map(Json)
        .map_err(|_| GatewayError::HomeUnavailable)
}

/// One part: its JSON on a 2xx within `budget`, `None` on anything else.
async fn fetch(
    state: &AppState,
    part: HomePart,
    request: UpstreamRequest,
    budget: Duration,
) -> Option<Value> {
    let client = state.upstreams.get(part.upstream())?;
    let response = with_timeout(budget, client.send(request))
        .await
        .ok()?
        .ok()?;
    if !response.status.is_success() {
        return None;
    }
    response.json::<Value>(part.upstream()).ok()
}
