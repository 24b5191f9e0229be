//! The state every gateway handler and middleware shares.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::FromRef;
use mediaflow_shared::auth::JwtVerifier;
use mediaflow_shared::clock::SharedClock;

use crate::domain::client_ip::TrustedProxies;
use crate::domain::cors::CorsPolicy;
use crate::limiter::RateLimiter;
use crate::settings::HomeTimeouts;
use crate::upstreams::Upstreams;

/// Shared handles; cloning is cheap.
#[derive(Debug, Clone)]
pub struct AppState {
    /// One resilient client per upstream.
    pub upstreams: Arc<Upstreams>,
    /// Verifies access tokens at the edge.
    pub verifier: Arc<JwtVerifier>,
    /// Buckets per token subject.
    pub user_limiter: Arc<RateLimiter>,
    /// Buckets per client IP.
    pub ip_limiter: Arc<RateLimiter>,
    /// Cross-origin rules.
    pub cors: Arc<CorsPolicy>,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Arc<TrustedProxies>,
    /// Time budgets of the home-page parts.
    pub home: HomeTimeouts,
    /// Largest body forwarded.
    pub max_body_bytes: usize,
    /// For breaker cool-downs in `Retry-After`.
    pub clock: SharedClock,
}

impl FromRef<AppState> for Arc<JwtVerifier> {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}

/// Where a request comes from, as the guard established it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddr {
    /// The client's address (rate-limit key).
    pub ip: IpAddr,
    /// The `X-Forwarded-For` value to send upstream.
    pub forwarded_for: String,
}
