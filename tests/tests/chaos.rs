//! Chaos tests: behaviour under injected faults (dropped, delayed, duplicated and reordered messages, failing writes, partitions, clock skew).
//!
//! One module per topic; shared helpers live in `mediaflow_tests::support`.

#[path = "chaos/auth.rs"]
mod auth;
#[path = "chaos/billing.rs"]
mod billing;
#[path = "chaos/bus_faults.rs"]
mod bus_faults;
#[path = "chaos/catalog.rs"]
mod catalog;
#[path = "chaos/clock_skew.rs"]
mod clock_skew;
#[path = "chaos/gateway.rs"]
mod gateway;
#[path = "chaos/partitions.rs"]
mod partitions;
#[path = "chaos/store_faults.rs"]
mod store_faults;
