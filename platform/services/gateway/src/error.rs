//! The gateway's errors: request errors mapped to HTTP statuses with stable codes
//! (and never an upstream's address or internals), and startup errors.

use std::time::Duration;

use axum::http::header::WWW_AUTHENTICATE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use mediaflow_shared::auth::JwtError;
use mediaflow_shared::http::{ApiError, ServiceError};
use mediaflow_shared::registry::RegistryError;
use thiserror::Error;

use crate::domain::cors::CorsRejection;
use crate::domain::paths::PathError;

/// Why the gateway answered a request itself instead of relaying an upstream.
#[derive(Debug, Error)]
pub enum GatewayError {
    /// `/api/<service>` names no known upstream.
    #[error("unknown service `{0}`; see the API documentation for the services under /api")]
    UnknownService(String),
    /// No route of the gateway matches.
    #[error("no route for this path; see the API documentation")]
    NoRoute,
    /// The path cannot be forwarded safely.
    #[error(transparent)]
    InvalidPath(#[from] PathError),
    /// Missing, malformed or rejected access token.
    #[error("{0}")]
    Unauthenticated(String),
    /// The client spent its tokens.
    #[error("too many requests; retry after {retry_after_secs} s")]
    RateLimited {
        /// Seconds until a token is available.
        retry_after_secs: u64,
    },
    /// The request body is larger than the configured limit.
    #[error(
        "request body is larger than {limit} bytes or was interrupted; send at most {limit} bytes"
    )]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A CORS preflight that the policy refuses.
    #[error(transparent)]
    CorsRejected(#[from] CorsRejection),
    /// No instance, breaker open, partition or connection failure.
    #[error("the {service} service is unavailable; retry later")]
    UpstreamUnavailable {
        /// Upstream name.
        service: String,
        /// Seconds until the breaker lets a probe through, when it is open.
        retry_after_secs: Option<u64>,
    },
    /// The upstream did not answer in time.
    #[error("the {service} service did not answer in time; retry later")]
    UpstreamTimeout {
        /// Upstream name.
        service: String,
    },
    /// Every part of the home page failed.
    #[error("the home page is unavailable; retry later")]
    HomeUnavailable,
    /// The host did not supply what the gateway relies on (the TCP peer address);
    /// a deployment fault the client can do nothing about.
    #[error("internal error; retry later")]
    Internal,
}

impl GatewayError {
    /// A 401 for a token the verifier refused.
    pub fn invalid_token(error: &JwtError) -> Self {
        Self::Unauthenticated(format!(
            "invalid token: {error}; log in again for a fresh access token"
        ))
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::UnknownService(_) | Self::NoRoute => (StatusCode::NOT_FOUND, "not_found"),
            Self::InvalidPath(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
            Self::Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Self::PayloadTooLarge { .. } => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::CorsRejected(_) => (StatusCode::FORBIDDEN, "cors_rejected"),
            Self::UpstreamUnavailable { .. } | Self::HomeUnavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, "upstream_unavailable")
            }
            Self::UpstreamTimeout { .. } => (StatusCode::GATEWAY_TIMEOUT, "upstream_timeout"),
            Self::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for GatewayError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let mut error = ApiError::new(status, code, self.to_string());
        match &self {
            Self::RateLimited { retry_after_secs }
            | Self::UpstreamUnavailable {
                retry_after_secs: Some(retry_after_secs),
                ..
            } => error = error.retry_after(*retry_after_secs),
            _ => {}
        }
        let mut response = error.into_response();
        if matches!(self, Self::Unauthenticated(_)) {
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer error=\"invalid_token\""),
            );
        }
        response
    }
}

/// Why the gateway did not start.
#[derive(Debug, Error)]
pub enum StartError {
    /// The readiness gate timed out.
    #[error(
        "required services not registered after {waited:?}: {}; start them first or raise \
         MEDIAFLOW_GATEWAY_READINESS_TIMEOUT",
        missing.join(", ")
    )]
    RequiredServicesMissing {
        /// Services without a healthy instance.
        missing: Vec<String>,
        /// How long the gate waited.
        waited: Duration,
    },
    /// The registry refused the readiness lookup.
    #[error("could not check the required services in the registry: {0}")]
    Registry(RegistryError),
    /// The JWT settings are unusable.
    #[error("invalid jwt settings: {0}; fix MEDIAFLOW_JWT_*")]
    Jwt(#[from] JwtError),
    /// The HTTP client for upstream calls could not be built.
    #[error("could not build the upstream http client: {0}")]
    HttpClient(String),
    /// The service host failed to start.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<RegistryError> for StartError {
    fn from(error: RegistryError) -> Self {
        match error {
            RegistryError::NotReady { missing, waited } => {
                Self::RequiredServicesMissing { missing, waited }
            }
            other => Self::Registry(other),
        }
    }
}
