//! Shared platform crate of MediaFlow: every backend the services use sits behind a
//! trait here, with an embedded implementation that is the default, plus the
//! cross-cutting building blocks (resilience, events, money, media, JWT).
//!
//! # Layout
//! - [`clock`]: injected time (`SystemClock`, `ManualClock`).
//! - [`config`]: typed `MEDIAFLOW_*` settings.
//! - [`resilience`]: circuit breaker, retry, timeout, bulkhead.
//! - [`lock`]: leases with owner tokens and fencing tokens.
//! - [`events`]: envelope, event bus (embedded AMQP-style broker), topology,
//!   idempotent consumers, upcasting, transactional outbox + relay.
//! - [`event_store`]: append with expected version, snapshots, ordered projections.
//! - [`registry`]: service registry, round-robin client, readiness gate.
//! - [`cache`]: key/value cache and the single-flight read-through layer.
//! - [`store`]: SQL access (embedded SQLite), migrations per service.
//! - [`objects`]: object storage (memory, filesystem).
//! - [`auth`]: JWT signing and verification, roles.
//! - [`money`], [`media`]: domain value types.
//! - [`chaos`]: fault-injecting decorators over the backend traits.
//! - [`http`]: service host (health, readiness, registration), request ids,
//!   JSON errors, bearer auth, and the resilient upstream client.
//! - [`ids`]: seeded identifier generation.
//! - [`infra`]: the [`Infra`] bundle handed to every service.

pub mod auth;
pub mod cache;
pub mod chaos;
pub mod clock;
pub mod config;
pub mod event_store;
pub mod events;
pub mod http;
pub mod ids;
pub mod infra;
pub mod lock;
pub mod media;
pub mod money;
pub mod objects;
pub mod registry;
pub mod resilience;
pub mod store;

pub use infra::Infra;

/// A boxed, sendable future: the return type of object-safe async hooks.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn Future<Output = T> + Send + 'a>>;
