//! The HTTP surface: thin handlers that authenticate, parse, apply the
//! idempotency protocol to charging requests and call the flows.

mod entitlements;
mod idempotent;
mod invoices;
mod plans;
mod renewals;
mod request;
mod state;
mod subscriptions;

use axum::Router;
use axum::routing::{get, post};

pub use state::AppState;

/// The service's routes (without `/health` and `/ready`, which the host adds).
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/plans", get(plans::list))
        .route("/subscriptions", post(subscriptions::create))
        .route("/subscriptions/me", get(subscriptions::me))
        .route("/subscriptions/me/change", post(subscriptions::change))
        .route("/subscriptions/me/cancel", post(subscriptions::cancel))
        .route("/invoices", get(invoices::list))
        .route("/invoices/{id}", get(invoices::show))
        .route("/invoices/{id}/refunds", post(invoices::refund))
        .route("/entitlements/{user_id}", get(entitlements::show))
        .route("/internal/renewals/run", post(renewals::run))
        .with_state(state)
}
