//! Request parsing with the service's JSON errors (axum's own rejections answer
//! in plain text): JSON bodies kept both typed and as a value for fingerprinting.

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mediaflow_shared::auth::{Claims, Role};
use serde::de::DeserializeOwned;

use crate::error::BillingError;
use crate::flows::Reply;

/// A JSON body, typed and as sent.
#[derive(Debug)]
pub struct JsonBody<T> {
    /// The decoded request.
    pub typed: T,
    /// The body as a JSON value, for the idempotency fingerprint.
    pub value: serde_json::Value,
}

/// Decodes a JSON body; malformed JSON or an unexpected shape is a 400 naming the
/// problem.
pub fn json_body<T: DeserializeOwned>(bytes: &Bytes) -> Result<JsonBody<T>, BillingError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        BillingError::InvalidRequest(format!("the body must be a JSON object: {e}"))
    })?;
    let typed = T::deserialize(&value)
        .map_err(|e| BillingError::InvalidRequest(format!("invalid request body: {e}")))?;
    Ok(JsonBody { typed, value })
}

/// Refuses callers without the admin role.
pub fn require_admin(claims: &Claims) -> Result<(), BillingError> {
    if claims.has_role(Role::Admin) {
        Ok(())
    } else {
        Err(BillingError::Forbidden(
            "this operation requires the admin role",
        ))
    }
}

/// Lets a caller act on `user_id` only when it is themself or an admin.
pub fn require_self_or_admin(claims: &Claims, user_id: &str) -> Result<(), BillingError> {
    if claims.sub == user_id || claims.has_role(Role::Admin) {
        Ok(())
    } else {
        Err(BillingError::Forbidden(
            "you may only access your own billing data",
        ))
    }
}

/// A flow's result as a response.
pub fn respond(result: Result<Reply, BillingError>) -> Response {
    match result {
        Ok(reply) => (reply.status, axum::Json(reply.body)).into_response(),
        Err(error) => error.into_response(),
    }
}

/// A JSON value with a status.
pub fn json(status: StatusCode, body: serde_json::Value) -> Response {
    (status, axum::Json(body)).into_response()
}
