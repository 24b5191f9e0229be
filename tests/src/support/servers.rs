//! The infrastructure of a service test: embedded by default, and on the real
//! servers the runner names when `MEDIAFLOW_TEST_INFRA=docker` (PostgreSQL,
//! Redis, RabbitMQ from `MEDIAFLOW_TEST_{POSTGRES,REDIS,AMQP}_URL`; a backend
//! whose URL is unset stays embedded). Each test gets names of its own on every
//! server, so tests run in parallel on one server of each kind, and drops them
//! when its infrastructure goes away (best effort).
//!
//! # Layout
//! - [`select`]: reading the choice and building the [`Infra`](mediaflow_shared::Infra).
//! - [`bus`]: a bus that puts every exchange and queue under a prefix.
//! - [`schemas`]: PostgreSQL databases that drop their schemas afterwards.
//! - [`detached`]: running a cleanup on a runtime of its own.

mod bus;
mod detached;
mod schemas;
mod select;

pub use bus::PrefixedBus;
pub use schemas::DroppedSchemas;
pub use select::{
    AMQP_URL_VAR, INFRA_VAR, POSTGRES_URL_VAR, REDIS_URL_VAR, TestServers, service_infra,
    service_infra_on,
};
