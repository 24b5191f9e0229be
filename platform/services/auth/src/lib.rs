//! The auth service of MediaFlow: accounts with Argon2id password hashes, login
//! with lockout, access and refresh tokens (rotation with reuse detection, logout),
//! the caller's profile and role administration. Publishes `UserRegistered` and
//! `UserRolesChanged` through its transactional outbox.
//!
//! # Layout
//! - [`settings`]: typed settings from `MEDIAFLOW_*` variables.
//! - [`domain`]: pure rules: email, password policy, display name, roles,
//!   lockout arithmetic, token claims and fingerprints.
//! - [`hashing`]: Argon2id hashing and verification.
//! - [`service`]: the use cases ([`AuthService`]), independent of HTTP.
//! - `store`: every SQL statement, parameterised.
//! - `routes`: HTTP handlers over the use cases.
//! - [`error`]: [`AuthError`] and the HTTP status of each variant.
//! - [`events`]: event payloads and routing keys.
//! - [`migrations`]: the database schema.

pub mod domain;
pub mod error;
pub mod events;
pub mod hashing;
pub mod migrations;
mod routes;
pub mod service;
pub mod settings;
mod store;

use std::sync::Arc;
use std::time::Duration;

use mediaflow_shared::Infra;
use mediaflow_shared::auth::JwtError;
use mediaflow_shared::events::TopologyError;
use mediaflow_shared::events::outbox::OutboxRelay;
use mediaflow_shared::http::{
    self, DatabaseReady, ReadyCheck, RunningService, ServiceError, ServiceSpec,
};
use mediaflow_shared::store::StoreError;
use thiserror::Error;
use tokio::net::TcpListener;

pub use error::AuthError;
pub use hashing::{HashingError, HashingParams, HashingStats, PasswordHasher};
pub use service::{AuthService, Registration, UserProfile, UserRoles};
pub use settings::Settings;

/// The service's name: registry entry, database name, routing-key prefix.
pub const SERVICE: &str = "auth";

/// The port the binary listens on unless `MEDIAFLOW_AUTH_PORT` says otherwise.
pub const DEFAULT_PORT: u16 = 3001;

/// Outbox rows the relay publishes per pass.
const RELAY_BATCH: usize = 100;

/// Why the service did not start.
#[derive(Debug, Error)]
pub enum StartError {
    /// The Argon2 costs are unusable.
    #[error("password hashing settings are invalid: {0}")]
    Hashing(#[from] HashingError),
    /// The JWT settings are unusable.
    #[error("token settings are invalid: {0}; fix the MEDIAFLOW_JWT_* variables")]
    Jwt(#[from] JwtError),
    /// The database could not be migrated.
    #[error("migrating the auth database failed: {0}")]
    Migrate(#[from] StoreError),
    /// The event topology could not be declared.
    #[error("declaring the event topology failed: {0}")]
    Topology(#[from] TopologyError),
    /// The HTTP host could not start (listener, registry, heartbeat settings).
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// Starts the auth service on `listener`: validates the settings, migrates the
/// database, declares the topology, starts the outbox relay (stopped with the
/// server) and serves until [`RunningService::stop`].
pub async fn start(
    infra: &Infra,
    settings: Settings,
    listener: TcpListener,
) -> Result<RunningService, StartError> {
    let service = AuthService::new(infra, &settings)?;
    let db = infra.database(SERVICE);
    migrations::apply(db.as_ref()).await?;
    events::topology().declare(infra.bus.as_ref()).await?;
    let relay = OutboxRelay::new(
        Arc::clone(&db),
        infra.bus.clone(),
        infra.clock.clone(),
        RELAY_BATCH,
    )
    .spawn(relay_tick(&settings));
    let service = service.with_relay(relay.waker());
    let spec = ServiceSpec {
        name: SERVICE.to_owned(),
        router: routes::router(routes::AppState::new(service, relay)),
        ready_checks: vec![(
            "database".to_owned(),
            Arc::new(DatabaseReady(db)) as Arc<dyn ReadyCheck>,
        )],
        heartbeat: settings.heartbeat,
    };
    Ok(http::start(spec, listener, infra).await?)
}

/// The relay tick; a zero tick would spin, so it is at least a millisecond.
fn relay_tick(settings: &Settings) -> Duration {
    settings.relay_tick.max(Duration::from_millis(1))
}
