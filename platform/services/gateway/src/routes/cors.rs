//! The CORS middleware: answers preflights itself (before the guard, since
//! browsers send them without credentials) and decorates every other response for
//! allowed origins only. Responses vary by `Origin`, so caches must key on it.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::guard::is_preflight;
use crate::domain::cors::{CorsPolicy, PreflightGrant};
use crate::error::GatewayError;

/// Middleware: strict CORS.
pub async fn cors(State(policy): State<Arc<CorsPolicy>>, request: Request, next: Next) -> Response {
    let origin = request
        .headers()
        .get(ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Some(origin) = origin else {
        let mut response = next.run(request).await;
        vary(&mut response, "origin");
        return response;
    };
    if is_preflight(request.method(), request.headers()) {
        let text = |name| {
            request
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
        };
        let method = text(ACCESS_CONTROL_REQUEST_METHOD).unwrap_or_default();
        let mut response =
            match policy.preflight(&origin, method, text(ACCESS_CONTROL_REQUEST_HEADERS)) {
                Ok(grant) => preflight_response(&grant),
                Err(rejection) => GatewayError::from(rejection).into_response(),
            };
        vary(
            &mut response,
            "origin, access-control-request-method, access-control-request-headers",
        );
        return response;
    }
    let allowed = policy.allowed_origin(&origin);
    let mut response = next.run(request).await;
    vary(&mut response, "origin");
    if let Some(allowed) = allowed {
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(allowed.as_str()) {
            headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, value);
            headers.insert(
                ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            );
        }
        if let Ok(value) = HeaderValue::from_str(&policy.exposed()) {
            headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, value);
        }
    }
    response
}

fn preflight_response(grant: &PreflightGrant) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    let pairs = [
        (
            ACCESS_CONTROL_ALLOW_ORIGIN,
            grant.origin.as_str().to_owned(),
        ),
        (ACCESS_CONTROL_ALLOW_CREDENTIALS, "true".to_owned()),
        (ACCESS_CONTROL_ALLOW_METHODS, grant.methods.clone()),
        (ACCESS_CONTROL_ALLOW_HEADERS, grant.headers.clone()),
        (ACCESS_CONTROL_MAX_AGE, grant.max_age_secs.to_string()),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

fn vary(response: &mut Response, value: &'static str) {
    response
        .headers_mut()
        .append(VARY, HeaderValue::from_static(value));
}
