//! Request extraction with the catalog's error shape: an optional bearer token,
//! JSON bodies and query strings whose rejections become JSON errors, path ids,
//! and the `If-Match` precondition.

use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, IF_MATCH};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mediaflow_shared::auth::JwtVerifier;
use mediaflow_shared::http::{ApiError, Authenticated};
use serde::de::DeserializeOwned;

use crate::domain::{Caller, VideoId, Viewer};
use crate::error::CatalogError;

/// The caller when a bearer token is sent, anonymous when none is. A token that
/// is sent but invalid is refused (401), never downgraded to anonymous.
#[derive(Debug, Clone)]
pub(crate) struct MaybeCaller(pub(crate) Viewer);

impl<S> FromRequestParts<S> for MaybeCaller
where
    Arc<JwtVerifier>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if !parts.headers.contains_key(AUTHORIZATION) {
            return Ok(Self(Viewer::Anonymous));
        }
        match Authenticated::from_request_parts(parts, state).await {
            Ok(Authenticated(claims)) => Ok(Self(Viewer::User(Caller::from_claims(&claims)))),
            Err(rejection) => Err(rejection.into_response()),
        }
    }
}

/// A JSON body; malformed JSON, unknown fields and wrong types answer 400 and a
/// missing `Content-Type: application/json` 415, both in the JSON error shape.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as JSON with Content-Type: application/json",
            )),
            Err(rejection) => Err(ApiError::bad_request(format!(
                "the body does not match the request schema: {}",
                rejection.body_text()
            ))),
        }
    }
}

/// Query parameters; an unreadable query string answers 400 in the JSON error shape.
#[derive(Debug)]
pub(crate) struct QueryParams<T>(pub(crate) T);

impl<S, T> FromRequestParts<S> for QueryParams<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(value)| Self(value))
            .map_err(|rejection| {
                ApiError::bad_request(format!("invalid query string: {}", rejection.body_text()))
            })
    }
}

/// A path id: anything that is not a well-formed video id cannot name a video.
pub(crate) fn video_id(text: &str) -> Result<VideoId, CatalogError> {
    VideoId::parse(text).map_err(|_| CatalogError::NotFound)
}

/// The version named by `If-Match`: `None` when absent; only a single strong
/// quoted version (`"3"`) is accepted, since `*` or a list would defeat the check.
pub(crate) fn if_match(headers: &HeaderMap) -> Result<Option<u64>, CatalogError> {
    let Some(value) = headers.get(IF_MATCH) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(str::trim)
        .and_then(|text| text.strip_prefix('"'))
        .and_then(|text| text.strip_suffix('"'))
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|digits| digits.parse::<u64>().ok())
        .map(Some)
        .ok_or_else(|| {
            CatalogError::Invalid(
                "If-Match must name exactly one version as a quoted number, e.g. \"3\"".to_owned(),
            )
        })
}
