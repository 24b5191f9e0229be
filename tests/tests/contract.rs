//! Contract tests: message and event shapes exchanged between services.
//!
//! One module per topic; shared helpers live in `mediaflow_tests::support`.

#[path = "contract/auth.rs"]
mod auth;
#[path = "contract/billing.rs"]
mod billing;
#[path = "contract/bus_messages.rs"]
mod bus_messages;
#[path = "contract/catalog.rs"]
mod catalog;
#[path = "contract/envelope_schema.rs"]
mod envelope_schema;
#[path = "contract/gateway.rs"]
mod gateway;
