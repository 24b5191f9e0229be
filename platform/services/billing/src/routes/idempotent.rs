//! The idempotency protocol of charging requests (after the IETF
//! Idempotency-Key draft): the key is required; the first request with a key
//! runs and its response is stored; the same key with the same request replays
//! that response; with a different request it is refused (422); while the first
//! is still running, a second one gets 409. Transient failures reopen the key so
//! the client can retry with it.

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::domain::idempotency::{IDEMPOTENCY_KEY_HEADER, IdempotencyKey, fingerprint};
use crate::error::BillingError;
use crate::flows::{Billing, Reply};
use crate::store::idempotency::{self, Claim, ClaimRules, ClaimedKey, StoredResponse};

/// Header set on a replayed response.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";

/// The request being protected.
#[derive(Debug, Clone, Copy)]
pub struct Protected<'a> {
    /// Who sends it (keys are per caller).
    pub owner: &'a str,
    /// Its headers, holding the key.
    pub headers: &'a HeaderMap,
    /// Method, for the fingerprint.
    pub method: &'a str,
    /// Path, for the fingerprint.
    pub path: &'a str,
    /// Body, for the fingerprint.
    pub body: &'a serde_json::Value,
}

/// Runs `flow` under the protocol. The flow stores its successful response under
/// the claim in its own transaction; failures are stored here, unless retryable.
pub async fn run<F, Fut>(billing: &Billing, request: Protected<'_>, flow: F) -> Response
where
    F: FnOnce(ClaimedKey) -> Fut,
    Fut: Future<Output = Result<Reply, BillingError>>,
{
    let key = match key_of(request.headers) {
        Ok(key) => key,
        Err(error) => return error.into_response(),
    };
    let hash = fingerprint(request.method, request.path, request.body);
    let rules = ClaimRules {
        lease: billing.idempotency.lease,
        retention: billing.idempotency.retention,
    };
    let now = billing.clock.now();
    let claim = idempotency::claim(
        &mut billing.db(),
        &billing.ids,
        request.owner,
        &key,
        &hash,
        now,
        rules,
    )
    .await;
    let claimed = match claim {
        Err(error) => return error.into_response(),
        Ok(Claim::Replay(stored)) => return replay(&stored),
        Ok(Claim::Mismatch) => return BillingError::IdempotencyKeyReused.into_response(),
        Ok(Claim::InProgress) => return BillingError::IdempotencyInProgress.into_response(),
        Ok(Claim::Acquired(claimed)) => claimed,
    };
    match flow(claimed.clone()).await {
        Ok(reply) => (reply.status, axum::Json(reply.body)).into_response(),
        Err(error) if error.is_retryable() => {
            if !matches!(error, BillingError::IdempotencyInProgress) {
                let _ = idempotency::reopen(&mut billing.db(), &claimed).await;
            }
            error.into_response()
        }
        Err(error) => {
            let api = error.to_api_error();
            let body = serde_json::json!({ "error": { "code": api.code, "message": api.message } });
            let _ = idempotency::complete(
                &mut billing.db(),
                &claimed,
                api.status.as_u16(),
                &body.to_string(),
                billing.clock.now(),
            )
            .await;
            api.into_response()
        }
    }
}

/// The key from the headers: required, well-formed.
fn key_of(headers: &HeaderMap) -> Result<IdempotencyKey, BillingError> {
    let value = headers
        .get(IDEMPOTENCY_KEY_HEADER)
        .ok_or(BillingError::IdempotencyKeyMissing)?;
    let text = value
        .to_str()
        .map_err(|_| crate::domain::DomainError::InvalidIdempotencyKey)?;
    Ok(IdempotencyKey::parse(text)?)
}

/// The stored response, marked as a replay.
fn replay(stored: &StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, stored.body.clone()).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}
