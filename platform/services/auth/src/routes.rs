//! HTTP surface of the auth service: the router, its shared state, and the JSON
//! body extractor that answers malformed bodies in the platform's error format.

mod handlers;
mod json;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};
use mediaflow_shared::auth::JwtVerifier;
use mediaflow_shared::events::outbox::RelayWorker;

use crate::service::AuthService;

/// State every handler shares.
#[derive(Debug, Clone)]
pub(crate) struct AppState {
    /// The use cases.
    service: Arc<AuthService>,
    /// Access-token verifier for the bearer extractor.
    access: Arc<JwtVerifier>,
    /// The outbox relay: held here so it stops when the server drops its router.
    _relay: Arc<RelayWorker>,
}

impl AppState {
    /// State around a service and the relay publishing its events.
    pub(crate) fn new(service: AuthService, relay: RelayWorker) -> Self {
        Self {
            access: service.access_verifier(),
            service: Arc::new(service),
            _relay: Arc::new(relay),
        }
    }
}

impl FromRef<AppState> for Arc<JwtVerifier> {
    fn from_ref(state: &AppState) -> Self {
        Arc::clone(&state.access)
    }
}

/// The service's routes (health and readiness are added by the host).
pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/register", post(handlers::register))
        .route("/login", post(handlers::login))
        .route("/refresh", post(handlers::refresh))
        .route("/logout", post(handlers::logout))
        .route("/me", get(handlers::me))
        .route("/admin/users/{id}/roles", post(handlers::set_roles))
        .with_state(state)
}
