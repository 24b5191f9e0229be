//! The MediaFlow gateway: the platform's single public entry point. It routes
//! `/api/<service>/…` to healthy upstream instances, authenticates at the edge
//! against an explicit public-route list, rate-limits per user and per client IP,
//! applies strict CORS, and aggregates the home page from three upstreams.
//!
//! The gateway owns no database and neither publishes nor consumes events: its
//! only state is the rate-limit buckets and the upstream breakers, both in memory.
//!
//! # Layout
//! - [`settings`]: typed settings from `MEDIAFLOW_*` variables.
//! - [`error`]: request errors → HTTP statuses, startup errors.
//! - [`domain`]: pure rules (public routes, token buckets, client IP, CORS, path
//!   mapping, home-page degradation).
//! - [`limiter`]: token buckets per key on the injected clock.
//! - [`upstreams`]: one resilient client per known upstream, readiness check.
//! - [`state`]: what handlers share.
//! - [`routes`]: router, middleware (correlation id, CORS, guard), proxy, home.

pub mod domain;
pub mod error;
pub mod limiter;
pub mod routes;
pub mod settings;
pub mod state;
pub mod upstreams;

use std::sync::Arc;

use mediaflow_shared::Infra;
use mediaflow_shared::auth::{JwtVerifier, TokenType};
use mediaflow_shared::http::{self, RunningService, ServiceSpec};
use mediaflow_shared::registry::wait_until_registered;
use tokio::net::TcpListener;

pub use error::{GatewayError, StartError};
pub use settings::Settings;

use limiter::RateLimiter;
use state::AppState;
use upstreams::{RequiredUpstreams, Upstreams};

/// The name the gateway registers under.
pub const SERVICE: &str = "gateway";

/// The port the gateway listens on unless `MEDIAFLOW_GATEWAY_PORT` says otherwise.
pub const DEFAULT_PORT: u16 = 3000;

/// Starts the gateway on `listener`: checks the JWT settings, waits (bounded) until
/// the required services have registered, then serves until the returned
/// service is stopped.
pub async fn start(
    infra: &Infra,
    settings: Settings,
    listener: TcpListener,
) -> Result<RunningService, StartError> {
    let verifier = JwtVerifier::new(
        settings.jwt.verifier_config(TokenType::Access),
        settings.jwt.keys.clone(),
        infra.clock.clone(),
    )?;
    let http_client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .map_err(|e| StartError::HttpClient(e.to_string()))?;

    let required: Vec<&str> = settings
        .readiness
        .required
        .iter()
        .map(String::as_str)
        .collect();
    wait_until_registered(
        &*infra.registry,
        &*infra.clock,
        &required,
        settings.readiness.timeout,
        settings.readiness.poll,
    )
    .await?;

    let limits = settings.rate_limits;
    let state = AppState {
        upstreams: Arc::new(Upstreams::new(infra, settings.upstream, &http_client)),
        verifier: Arc::new(verifier),
        user_limiter: Arc::new(RateLimiter::new(
            limits.per_user,
            infra.clock.clone(),
            limits.max_tracked,
        )),
        ip_limiter: Arc::new(RateLimiter::new(
            limits.per_ip,
            infra.clock.clone(),
            limits.max_tracked,
        )),
        cors: Arc::new(settings.cors),
        trusted_proxies: Arc::new(settings.trusted_proxies),
        home: settings.home,
        max_body_bytes: settings.max_body_bytes,
        clock: infra.clock.clone(),
    };
    let spec = ServiceSpec {
        name: SERVICE.to_owned(),
        router: routes::router(state),
        ready_checks: vec![(
            "upstreams".to_owned(),
            Arc::new(RequiredUpstreams::new(
                infra.registry.clone(),
                settings.readiness.required,
            )),
        )],
        heartbeat: settings.heartbeat,
    };
    Ok(http::start(spec, listener, infra).await?)
}
