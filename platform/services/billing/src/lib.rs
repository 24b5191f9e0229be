//! The billing service: plans with prices per currency, subscriptions with
//! prorated plan changes and cancellation at period end, invoices whose lines sum
//! exactly, refunds that never exceed the charge, idempotent charging requests,
//! a payment provider behind keyed retries that never double-charge, and renewals
//! as an explicit step. Events leave through the transactional outbox.
//!
//! # Layout
//! - [`settings`]: typed settings from `MEDIAFLOW_*` variables.
//! - [`error`]: the error enum and its HTTP mapping.
//! - [`domain`]: pure rules (plans, periods, proration, statuses, invoices, refunds).
//! - [`payments`]: provider contract, simulated provider, retrying charger.
//! - [`store`]: parameterised SQL per table.
//! - [`migrations`]: the schema and the seeded plans.
//! - [`events`]: event payloads, routing keys, envelopes.
//! - [`views`]: JSON shapes of responses.
//! - [`flows`]: the operations (subscribe, change, cancel, refund, renewals).
//! - [`routes`]: HTTP handlers and the idempotency protocol.

pub mod domain;
pub mod error;
pub mod events;
pub mod flows;
pub mod migrations;
pub mod payments;
pub mod routes;
pub mod settings;
pub mod store;
pub mod views;

use std::sync::Arc;

use mediaflow_shared::Infra;
use mediaflow_shared::auth::{JwtError, JwtVerifier, TokenType};
use mediaflow_shared::events::TopologyError;
use mediaflow_shared::events::outbox::OutboxRelay;
use mediaflow_shared::http::{
    self, DatabaseReady, ReadyCheck, RunningService, ServiceError, ServiceSpec,
};
use mediaflow_shared::store::{StoreError, migrate};
use thiserror::Error;
use tokio::net::TcpListener;

pub use error::BillingError;
pub use payments::{FailureRates, PaymentProvider, ScriptedOutcome, SimulatedProvider};
pub use settings::Settings;

/// The service name: registry entry, database name, lock and event prefix.
pub const SERVICE: &str = "billing";

/// The port the billing service listens on by default.
pub const DEFAULT_PORT: u16 = 3008;

/// Why the service could not start.
#[derive(Debug, Error)]
pub enum StartError {
    /// Settings contradict each other.
    #[error("invalid billing settings: {var}={value}: expected {expected}")]
    Settings {
        /// The setting.
        var: &'static str,
        /// Its value.
        value: String,
        /// What would be valid.
        expected: String,
    },
    /// The JWT settings cannot build a verifier.
    #[error("invalid token settings: {0}; check MEDIAFLOW_JWT_*")]
    Jwt(#[from] JwtError),
    /// The schema could not be brought up to date.
    #[error("billing database migration failed: {0}")]
    Migrate(#[from] StoreError),
    /// The event topology could not be declared.
    #[error("declaring the billing event topology failed: {0}")]
    Topology(#[from] TopologyError),
    /// The HTTP host failed to start.
    #[error("the billing service could not start serving: {0}")]
    Serve(#[from] ServiceError),
}

/// Starts the billing service on `listener`: migrates its database, declares its
/// topology, starts the outbox relay (stopped with the server) and serves.
pub async fn start(
    infra: &Infra,
    settings: Settings,
    listener: TcpListener,
) -> Result<RunningService, StartError> {
    settings
        .validate()
        .map_err(|(var, value, expected)| StartError::Settings {
            var,
            value,
            expected,
        })?;
    let verifier = JwtVerifier::new(
        settings.jwt.verifier_config(TokenType::Access),
        settings.jwt.keys.clone(),
        infra.clock.clone(),
    )?;
    let store = infra.database(SERVICE);
    migrate(store.as_ref(), &migrations::all()).await?;
    events::topology().declare(infra.bus.as_ref()).await?;

    let relay = OutboxRelay::new(
        store.clone(),
        infra.bus.clone(),
        infra.clock.clone(),
        settings.relay.batch_size,
    )
    .spawn(settings.relay.tick);
    let provider: Arc<dyn PaymentProvider> = settings.provider.clone();
    let payments = payments::Payments::new(
        provider,
        settings.payments.retry,
        settings.payments.timeout,
        infra.clock.clone(),
        infra.ids.uuid().as_u64_pair().0,
    );
    let billing = Arc::new(flows::Billing {
        store: store.clone(),
        clock: infra.clock.clone(),
        ids: infra.ids.clone(),
        locks: infra.locks.clone(),
        payments,
        relay: relay.waker(),
        lock_settings: settings.locks,
        idempotency: settings.idempotency,
        renewals: settings.renewals,
    });
    let state = routes::AppState::new(billing, Arc::new(verifier), relay);
    let spec = ServiceSpec {
        name: SERVICE.to_owned(),
        router: routes::router(state),
        ready_checks: vec![(
            "database".to_owned(),
            Arc::new(DatabaseReady(store)) as Arc<dyn ReadyCheck>,
        )],
        heartbeat: settings.heartbeat,
    };
    Ok(http::start(spec, listener, infra).await?)
}
