//! A JSON body extractor whose rejections (wrong content type, syntax errors,
//! missing fields) are answered as `{"error":{"code":"invalid_request",…}}` like
//! every other error, instead of axum's plain-text bodies.

use axum::Json;
use axum::extract::{FromRequest, Request};
use mediaflow_shared::http::ApiError;
use serde::de::DeserializeOwned;

/// A request body decoded from JSON.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError::new(
                rejection.status(),
                "invalid_request",
                rejection.body_text(),
            )),
        }
    }
}
