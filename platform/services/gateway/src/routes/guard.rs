//! The guard in front of every gateway route: the per-IP limit for everyone, then,
//! unless the route is on the public list, a valid access token and the per-user
//! limit. A refused request never reaches an upstream.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{ACCESS_CONTROL_REQUEST_METHOD, AUTHORIZATION};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use mediaflow_shared::auth::{Claims, JwtVerifier};

use super::headers::FORWARDED_FOR_HEADER;
use crate::domain::client_ip::{client_ip, forwarded_chain};
use crate::domain::public_routes::{Access, access};
use crate::domain::rate_limit::Admission;
use crate::error::GatewayError;
use crate::limiter::RateLimiter;
use crate::state::{AppState, ClientAddr};

/// Whether a request is a CORS preflight.
pub fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
    method == Method::OPTIONS && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

/// Middleware: rate limits and authentication, in that order.
pub async fn guard(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, GatewayError> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip())
        .ok_or(GatewayError::Internal)?;
    let client = {
        let hops = || {
            request
                .headers()
                .get_all(FORWARDED_FOR_HEADER)
                .iter()
                .filter_map(|v| v.to_str().ok())
        };
        ClientAddr {
            ip: client_ip(peer, hops(), &state.trusted_proxies),
            forwarded_for: forwarded_chain(peer, hops(), &state.trusted_proxies),
        }
    };
    take_token(&state.ip_limiter, &client.ip.to_string())?;

    let preflight = is_preflight(request.method(), request.headers());
    if access(request.method(), request.uri().path(), preflight) == Access::Protected {
        let claims = verify_bearer(request.headers(), &state.verifier)?;
        take_token(&state.user_limiter, &claims.sub)?;
    }
    request.extensions_mut().insert(client);
    Ok(next.run(request).await)
}

fn take_token(limiter: &RateLimiter, key: &str) -> Result<(), GatewayError> {
    match limiter.check(key) {
        Admission::Admitted { .. } => Ok(()),
        limited @ Admission::Limited { .. } => Err(GatewayError::RateLimited {
            retry_after_secs: limited.retry_after_secs().unwrap_or(1),
        }),
    }
}

/// The verified claims of the `Authorization: Bearer` token (scheme matched
/// case-insensitively, as RFC 9110 says).
fn verify_bearer(headers: &HeaderMap, verifier: &JwtVerifier) -> Result<Claims, GatewayError> {
    let value = headers
        .get(AUTHORIZATION)
        .ok_or_else(|| {
            GatewayError::Unauthenticated(
                "missing bearer token; log in and send Authorization: Bearer <token>".to_owned(),
            )
        })?
        .to_str()
        .map_err(|_| {
            GatewayError::Unauthenticated("authorization header is not valid text".to_owned())
        })?;
    let token = value
        .split_once(' ')
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|token| !token.is_empty())
        .ok_or_else(|| {
            GatewayError::Unauthenticated("authorization must use the Bearer scheme".to_owned())
        })?;
    verifier
        .verify(token)
        .map_err(|e| GatewayError::invalid_token(&e))
}
