//! The bearer-token extractor: a handler that takes [`Authenticated`] only runs for
//! requests carrying a valid access token.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use crate::auth::{Claims, JwtVerifier};

/// The scheme prefix of the `Authorization` header.
pub const BEARER_PREFIX: &str = "Bearer ";

/// The verified claims of the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated(pub Claims);

/// A 401 with the `WWW-Authenticate` challenge RFC 6750 asks for.
#[derive(Debug)]
pub struct Unauthenticated(String);

impl IntoResponse for Unauthenticated {
    fn into_response(self) -> Response {
        let mut response =
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", self.0).into_response();
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
        response
    }
}

impl<S> FromRequestParts<S> for Authenticated
where
    Arc<JwtVerifier>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Unauthenticated;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| Unauthenticated("missing bearer token".to_owned()))?;
        let token = header.strip_prefix(BEARER_PREFIX).ok_or_else(|| {
            Unauthenticated("authorization must use the Bearer scheme".to_owned())
        })?;
        let verifier = Arc::<JwtVerifier>::from_ref(state);
        verifier
            .verify(token.trim())
            .map(Authenticated)
            .map_err(|e| Unauthenticated(format!("invalid token: {e}")))
    }
}
