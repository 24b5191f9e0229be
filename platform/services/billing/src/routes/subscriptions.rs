//! Subscription routes: subscribe and change plan (charging, so idempotent by
//! key), read and cancel the caller's subscription.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mediaflow_shared::http::{Authenticated, RequestId};
use serde::Deserialize;

use super::idempotent::{self, Protected};
use super::request::{json, json_body, respond};
use super::state::AppState;
use crate::flows;
use crate::views::SubscriptionView;

/// Body of `POST /subscriptions`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscribeRequest {
    /// Plan code.
    pub plan: String,
    /// Billing currency, ISO code.
    pub currency: String,
}

/// Body of `POST /subscriptions/me/change`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    /// The new plan's code.
    pub plan: String,
}

/// `POST /subscriptions`: subscribes the caller, charging the first period.
pub async fn create(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    Extension(request_id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = match json_body::<SubscribeRequest>(&body) {
        Ok(body) => body,
        Err(error) => return error.into_response(),
    };
    let billing = &state.billing;
    let user = claims.sub.as_str();
    let request = Protected {
        owner: user,
        headers: &headers,
        method: "POST",
        path: "/subscriptions",
        body: &body.value,
    };
    let SubscribeRequest { plan, currency } = &body.typed;
    idempotent::run(billing, request, |claim| async move {
        flows::subscribe(billing, user, plan, currency, &claim, request_id.as_str()).await
    })
    .await
}

/// `POST /subscriptions/me/change`: moves the caller to another plan, prorated.
pub async fn change(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    Extension(request_id): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = match json_body::<ChangeRequest>(&body) {
        Ok(body) => body,
        Err(error) => return error.into_response(),
    };
    let billing = &state.billing;
    let user = claims.sub.as_str();
    let request = Protected {
        owner: user,
        headers: &headers,
        method: "POST",
        path: "/subscriptions/me/change",
        body: &body.value,
    };
    let plan = &body.typed.plan;
    idempotent::run(billing, request, |claim| async move {
        flows::change_plan(billing, user, plan, &claim, request_id.as_str()).await
    })
    .await
}

/// `GET /subscriptions/me`: the caller's latest subscription.
pub async fn me(State(state): State<AppState>, Authenticated(claims): Authenticated) -> Response {
    match flows::subscription(&state.billing, &claims.sub).await {
        Ok(sub) => json(
            StatusCode::OK,
            serde_json::json!({ "subscription": SubscriptionView::from(&sub) }),
        ),
        Err(error) => error.into_response(),
    }
}

/// `POST /subscriptions/me/cancel`: cancels at the end of the period.
pub async fn cancel(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    Extension(request_id): Extension<RequestId>,
) -> Response {
    respond(flows::cancel(&state.billing, &claims.sub, request_id.as_str()).await)
}
