//! `/api/<service>/<rest>` → the upstream's `/<rest>` (query kept), through the
//! upstream's resilient client. Upstream answers are relayed as they are, except
//! that a 5xx body not in the platform's error shape is replaced: such a body is a
//! crash page or stack trace, and internals never reach the client.

use axum::body::{Body, Bytes};
use axum::extract::{Extension, Request, State};
use axum::http::header::{CONTENT_LENGTH, HeaderMap};
use axum::response::{IntoResponse, Response};
use mediaflow_shared::clock::Clock;
use mediaflow_shared::http::{
    ApiError, RequestId, UpstreamClient, UpstreamError, UpstreamRequest, UpstreamResponse,
};
use mediaflow_shared::resilience::BreakerState;

use super::headers::{client_response_headers, upstream_request_headers};
use crate::domain::paths::upstream_target;
use crate::error::GatewayError;
use crate::state::{AppState, ClientAddr};

/// Relays one request to its upstream.
pub async fn proxy(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    Extension(client): Extension<ClientAddr>,
    request: Request,
) -> Result<Response, GatewayError> {
    let (parts, body) = request.into_parts();
    let target = upstream_target(parts.uri.path(), parts.uri.query())?;
    let upstream = state
        .upstreams
        .get(target.service)
        .ok_or_else(|| GatewayError::UnknownService(target.service.to_owned()))?;
    let body = read_body(&parts.headers, body, state.max_body_bytes).await?;

    let mut outbound = UpstreamRequest::new(parts.method, target.path_and_query);
    outbound.headers = upstream_request_headers(&parts.headers, &request_id, &client.forwarded_for);
    outbound.body = (!body.is_empty()).then_some(body);
    outbound.request_id = Some(request_id);
    match upstream.send(outbound).await {
        Ok(response) => Ok(relay(upstream.target(), response)),
        Err(error) => Err(upstream_failure(upstream, &error, &*state.clock)),
    }
}

/// Reads the body up to the limit; a declared length over the limit is refused
/// before anything is read.
async fn read_body(headers: &HeaderMap, body: Body, limit: usize) -> Result<Bytes, GatewayError> {
    let declared = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > u64::try_from(limit).unwrap_or(u64::MAX)) {
        return Err(GatewayError::PayloadTooLarge { limit });
    }
    axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| GatewayError::PayloadTooLarge { limit })
}

/// The upstream's answer as the client's response.
fn relay(service: &str, response: UpstreamResponse) -> Response {
    if response.status.is_server_error() && ApiError::parse_body(&response.body).is_none() {
        return ApiError::new(
            response.status,
            "upstream_error",
            format!("the {service} service failed; retry later"),
        )
        .into_response();
    }
    let mut out = Response::new(Body::from(response.body));
    *out.status_mut() = response.status;
    *out.headers_mut() = client_response_headers(&response.headers);
    out
}

/// Maps a call that produced no response: a timeout is a 504, everything else
/// (no instance, open breaker, partition, refused connection) a 503. The cause's
/// text is never shown: transport errors carry instance addresses.
fn upstream_failure(
    upstream: &UpstreamClient,
    error: &UpstreamError,
    clock: &dyn Clock,
) -> GatewayError {
    let service = upstream.target().to_owned();
    match error {
        UpstreamError::Timeout { .. } => GatewayError::UpstreamTimeout { service },
        UpstreamError::CircuitOpen(_) => GatewayError::UpstreamUnavailable {
            service,
            retry_after_secs: breaker_retry_after(upstream, clock),
        },
        UpstreamError::NoInstance(_)
        | UpstreamError::Partitioned(_)
        | UpstreamError::Transport { .. }
        | UpstreamError::Decode { .. } => GatewayError::UpstreamUnavailable {
            service,
            retry_after_secs: None,
        },
    }
}

/// Whole seconds until an open breaker lets a probe through (at least 1).
fn breaker_retry_after(upstream: &UpstreamClient, clock: &dyn Clock) -> Option<u64> {
    match upstream.breaker().state() {
        BreakerState::Open { until } => {
            let remaining = (until - clock.now()).to_std().unwrap_or_default();
            Some((remaining.as_secs() + u64::from(remaining.subsec_nanos() > 0)).max(1))
        }
        BreakerState::HalfOpen { .. } => Some(1),
        BreakerState::Closed { .. } => None,
    }
}
