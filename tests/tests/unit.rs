//! Unit tests: pure domain logic of the shared crate and the services.
//!
//! One module per topic; shared helpers live in `mediaflow_tests::support`.

#[path = "unit/auth.rs"]
mod auth;
#[path = "unit/auth_sessions.rs"]
mod auth_sessions;
#[path = "unit/auth_settings.rs"]
mod auth_settings;
#[path = "unit/billing.rs"]
mod billing;
#[path = "unit/billing_payments.rs"]
mod billing_payments;
#[path = "unit/billing_rules.rs"]
mod billing_rules;
#[path = "unit/breaker.rs"]
mod breaker;
#[path = "unit/bulkhead.rs"]
mod bulkhead;
#[path = "unit/catalog.rs"]
mod catalog;
#[path = "unit/catalog_listing.rs"]
mod catalog_listing;
#[path = "unit/catalog_rules.rs"]
mod catalog_rules;
#[path = "unit/clock.rs"]
mod clock;
#[path = "unit/config.rs"]
mod config;
#[path = "unit/conflict_retry.rs"]
mod conflict_retry;
#[path = "unit/envelope.rs"]
mod envelope;
#[path = "unit/fencing.rs"]
mod fencing;
#[path = "unit/gateway.rs"]
mod gateway;
#[path = "unit/gateway_edge.rs"]
mod gateway_edge;
#[path = "unit/jwt.rs"]
mod jwt;
#[path = "unit/media.rs"]
mod media;
#[path = "unit/money.rs"]
mod money;
#[path = "unit/object_keys.rs"]
mod object_keys;
#[path = "unit/projection.rs"]
mod projection;
#[path = "unit/retry.rs"]
mod retry;
#[path = "unit/s3_sigv4.rs"]
mod s3_sigv4;
#[path = "unit/timeout.rs"]
mod timeout;
#[path = "unit/upcast.rs"]
mod upcast;
