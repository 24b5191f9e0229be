//! Invoice routes: the caller's invoices (admins may name a user), one invoice,
//! and refunds (admin, idempotent by key).

use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mediaflow_shared::http::{Authenticated, RequestId};
use serde::Deserialize;

use super::idempotent::{self, Protected};
use super::request::{json, json_body, require_admin, require_self_or_admin};
use super::state::AppState;
use crate::error::BillingError;
use crate::flows;
use crate::store::invoices;
use crate::views::InvoiceView;

/// Invoices per page when `limit` is absent.
const DEFAULT_LIMIT: u32 = 20;
/// Largest page.
const MAX_LIMIT: u32 = 100;

/// Query of `GET /invoices`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    /// Invoices to return, 1 to 100.
    pub limit: Option<u32>,
    /// Whose invoices (admins only; default the caller).
    pub user_id: Option<String>,
}

/// Body of `POST /invoices/{id}/refunds`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundBody {
    /// Amount to refund, minor units of the invoice's currency.
    pub amount_minor: i64,
}

/// `GET /invoices`: newest first, with lines.
pub async fn list(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Response {
    let result = async {
        let Query(query) =
            query.map_err(|e| BillingError::InvalidRequest(format!("invalid query: {e}")))?;
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(BillingError::InvalidRequest(format!(
                "limit must be between 1 and {MAX_LIMIT}"
            )));
        }
        let user_id = query.user_id.unwrap_or_else(|| claims.sub.clone());
        require_self_or_admin(&claims, &user_id)?;
        let invoices = flows::invoices(&state.billing, &user_id, limit).await?;
        Ok(invoices.iter().map(InvoiceView::from).collect::<Vec<_>>())
    }
    .await;
    match result {
        Ok(invoices) => json(StatusCode::OK, serde_json::json!({ "invoices": invoices })),
        Err(error) => error.into_response(),
    }
}

/// `GET /invoices/{id}`: the owner's or any for an admin; others get 404, so
/// invoice ids cannot be probed.
pub async fn show(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    Path(id): Path<String>,
) -> Response {
    let found = invoices::find(&mut state.billing.db(), &id).await;
    match found {
        Ok(Some(invoice)) if require_self_or_admin(&claims, &invoice.user_id).is_ok() => json(
            StatusCode::OK,
            serde_json::json!({ "invoice": InvoiceView::from(&invoice) }),
        ),
        Ok(_) => BillingError::InvoiceNotFound.into_response(),
        Err(error) => error.into_response(),
    }
}

/// `POST /invoices/{id}/refunds`: refunds part or all of the invoice's charge.
pub async fn refund(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    Extension(request_id): Extension<RequestId>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(error) = require_admin(&claims) {
        return error.into_response();
    }
    let body = match json_body::<RefundBody>(&body) {
        Ok(body) => body,
        Err(error) => return error.into_response(),
    };
    let billing = &state.billing;
    let user = claims.sub.as_str();
    let path = format!("/invoices/{id}/refunds");
    let request = Protected {
        owner: user,
        headers: &headers,
        method: "POST",
        path: &path,
        body: &body.value,
    };
    let amount = body.typed.amount_minor;
    idempotent::run(billing, request, |claim| async move {
        flows::refund(billing, user, &id, amount, &claim, request_id.as_str()).await
    })
    .await
}
