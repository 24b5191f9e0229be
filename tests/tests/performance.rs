//! Performance tests: counted work (loader calls, messages, queries), never wall time.
//!
//! One module per topic; shared helpers live in `mediaflow_tests::support`.

#[path = "performance/auth.rs"]
mod auth;
#[path = "performance/billing.rs"]
mod billing;
#[path = "performance/broker_work.rs"]
mod broker_work;
#[path = "performance/catalog.rs"]
mod catalog;
#[path = "performance/event_store_reads.rs"]
mod event_store_reads;
#[path = "performance/gateway.rs"]
mod gateway;
#[path = "performance/single_flight.rs"]
mod single_flight;
