//! Integration tests: a component with its backends (store, bus, cache, objects, registry).
//!
//! One module per topic; shared helpers live in `mediaflow_tests::support`.

#[path = "integration/auth.rs"]
mod auth;
#[path = "integration/auth_login.rs"]
mod auth_login;
#[path = "integration/billing.rs"]
mod billing;
#[path = "integration/billing_lifecycle.rs"]
mod billing_lifecycle;
#[path = "integration/broker.rs"]
mod broker;
#[path = "integration/bus_conformance.rs"]
mod bus_conformance;
#[path = "integration/cache.rs"]
mod cache;
#[path = "integration/cache_conformance.rs"]
mod cache_conformance;
#[path = "integration/catalog.rs"]
mod catalog;
#[path = "integration/catalog_reads.rs"]
mod catalog_reads;
#[path = "integration/event_store.rs"]
mod event_store;
#[path = "integration/gateway.rs"]
mod gateway;
#[path = "integration/http_kit.rs"]
mod http_kit;
#[path = "integration/idempotent_consumer.rs"]
mod idempotent_consumer;
#[path = "integration/infra.rs"]
mod infra;
#[path = "integration/locks.rs"]
mod locks;
#[path = "integration/lost_connection.rs"]
mod lost_connection;
#[path = "integration/migrations.rs"]
mod migrations;
#[path = "integration/objects.rs"]
mod objects;
#[path = "integration/objects_conformance.rs"]
mod objects_conformance;
#[path = "integration/outbox.rs"]
mod outbox;
#[path = "integration/read_through.rs"]
mod read_through;
#[path = "integration/registry.rs"]
mod registry;
#[path = "integration/registry_conformance.rs"]
mod registry_conformance;
#[path = "integration/sql_store.rs"]
mod sql_store;
#[path = "integration/store_conformance.rs"]
mod store_conformance;
#[path = "integration/topology.rs"]
mod topology;
