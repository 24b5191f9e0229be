//! Integration tests: a component with its backends (store, bus, cache, objects, registry).
//!
//! One module per topic; shared helpers live in `mediaflow_tests::support`.

#[path = "integration/broker.rs"]
mod broker;
#[path = "integration/cache.rs"]
mod cache;
#[path = "integration/event_store.rs"]
mod event_store;
#[path = "integration/idempotent_consumer.rs"]
mod idempotent_consumer;
#[path = "integration/infra.rs"]
mod infra;
#[path = "integration/locks.rs"]
mod locks;
#[path = "integration/migrations.rs"]
mod migrations;
#[path = "integration/objects.rs"]
mod objects;
#[path = "integration/outbox.rs"]
mod outbox;
#[path = "integration/read_through.rs"]
mod read_through;
#[path = "integration/registry.rs"]
mod registry;
#[path = "integration/sql_store.rs"]
mod sql_store;
#[path = "integration/topology.rs"]
mod topology;
