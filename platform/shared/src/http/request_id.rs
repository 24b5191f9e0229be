//! Request ids: taken from `x-request-id` when the caller sent a well-formed one,
//! generated otherwise, stored in the request's extensions, echoed on the response
//! and forwarded on every upstream call, so one id follows a request everywhere.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

use crate::ids::IdGenerator;

/// The header carrying the id.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the request being handled; extract it with `Extension<RequestId>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestId(pub String);

impl RequestId {
    /// Accepts 1–128 characters of `[A-Za-z0-9._-]`; anything else is replaced,
    /// so a client cannot inject header or log content.
    pub fn parse(text: &str) -> Option<Self> {
        let ok = !text.is_empty()
            && text.len() <= 128
            && text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        ok.then(|| Self(text.to_owned()))
    }

    /// The id text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Middleware: assigns the request id and echoes it on the response.
pub(crate) async fn assign(
    State(ids): State<Arc<IdGenerator>>,
    mut request: Request,
    next: Next,
) -> Response {
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(RequestId::parse)
        .unwrap_or_else(|| RequestId(ids.prefixed("req")));
    request.extensions_mut().insert(id.clone());
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(id.as_str()) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}
