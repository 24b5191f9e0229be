//! The router state: the billing application, the token verifier, and the outbox
//! relay, which lives exactly as long as the router serving requests.

use std::sync::Arc;

use axum::extract::FromRef;
use mediaflow_shared::auth::JwtVerifier;
use mediaflow_shared::events::outbox::RelayWorker;

use crate::flows::Billing;

/// Shared by every handler; cloning shares it.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The application.
    pub billing: Arc<Billing>,
    /// Verifies bearer tokens.
    pub verifier: Arc<JwtVerifier>,
    /// Kept here so the relay stops when the server drops its router.
    _relay: Arc<RelayWorker>,
}

impl AppState {
    /// State over `billing`, whose events `relay` publishes.
    pub fn new(billing: Arc<Billing>, verifier: Arc<JwtVerifier>, relay: RelayWorker) -> Self {
        Self {
            billing,
            verifier,
            _relay: Arc::new(relay),
        }
    }
}

impl FromRef<AppState> for Arc<JwtVerifier> {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}
