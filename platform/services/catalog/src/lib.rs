//! The MediaFlow catalog service: the event-sourced video aggregate (draft →
//! processing → ready → published → archived), its `videos` read model written in
//! the same transaction as each append and its outbox rows, cursor-paginated
//! listing, escaped search, metadata updates under `If-Match`, and read-through
//! caching with single-flight loads and invalidation on every change.
//!
//! # Layout
//! - [`settings`]: typed settings from `MEDIAFLOW_*` variables.
//! - [`domain`]: ids, metadata values, lifecycle, the aggregate, access rules,
//!   listing and search requests (pure, no IO).
//! - [`events`]: event payloads, types and routing keys.
//! - [`migrations`]: the catalog database's schema.
//! - [`repo`]: SQL over the `videos` read model.
//! - [`service`]: the use cases (commands, cached reads).
//! - [`consumers`]: the view counter fed by analytics events.
//! - [`routes`]: the HTTP handlers.
//! - [`error`]: request and startup errors.

pub mod consumers;
pub mod domain;
pub mod error;
pub mod events;
pub mod migrations;
pub mod repo;
pub mod routes;
pub mod service;
pub mod settings;

use std::sync::Arc;

use mediaflow_shared::Infra;
use mediaflow_shared::auth::{JwtVerifier, TokenType};
use mediaflow_shared::events::ConsumeOptions;
use mediaflow_shared::events::outbox::OutboxRelay;
use mediaflow_shared::events::platform::base_topology;
use mediaflow_shared::http::{self, DatabaseReady, ReadyCheck, RunningService, ServiceSpec};
use mediaflow_shared::store::migrate;
use tokio::net::TcpListener;

pub use crate::error::{CatalogError, StartError};
pub use crate::settings::{CacheSettings, DEFAULT_PORT, Settings};

use crate::consumers::{VIEWS_QUEUE, ViewCounter};
use crate::routes::{AppState, Workers};
use crate::service::CatalogService;

/// The service's name: registry entry, database name, routing-key prefix.
pub const SERVICE: &str = "catalog";

/// Starts the catalog on `listener`: migrates its database, declares its
/// topology, starts the outbox relay and the view counter (both stop with the
/// service), and serves the routes with health, readiness and registration.
pub async fn start(
    infra: &Infra,
    settings: Settings,
    listener: TcpListener,
) -> Result<RunningService, StartError> {
    let db = infra.database(SERVICE);
    migrate(db.as_ref(), &migrations::all())
        .await
        .map_err(StartError::Migrate)?;
    base_topology()
        .merge(consumers::topology())
        .declare(infra.bus.as_ref())
        .await?;
    let verifier = Arc::new(JwtVerifier::new(
        settings.jwt.verifier_config(TokenType::Access),
        settings.jwt.keys.clone(),
        infra.clock.clone(),
    )?);

    let relay = OutboxRelay::new(
        db.clone(),
        infra.bus.clone(),
        infra.clock.clone(),
        settings.outbox_batch,
    )
    .spawn(settings.outbox_tick);
    let service = Arc::new(CatalogService::new(
        infra,
        db.clone(),
        &settings,
        relay.waker(),
    ));
    let consumer = infra
        .bus
        .consume(
            VIEWS_QUEUE,
            ConsumeOptions::new("catalog-view-counter", settings.view_prefetch),
        )
        .await
        .map_err(StartError::Consume)?;
    let views = ViewCounter::new(service.clone()).spawn(consumer);

    let state = AppState {
        service,
        verifier,
        workers: Arc::new(Workers { relay, views }),
    };
    let spec = ServiceSpec {
        name: SERVICE.to_owned(),
        router: routes::router(state),
        ready_checks: vec![(
            "database".to_owned(),
            Arc::new(DatabaseReady(db)) as Arc<dyn ReadyCheck>,
        )],
        heartbeat: settings.heartbeat,
    };
    Ok(http::start(spec, listener, infra).await?)
}
