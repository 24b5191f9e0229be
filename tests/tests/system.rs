//! System tests: end-to-end flows across the embedded infrastructure.
//!
//! One module per topic; shared helpers live in `mediaflow_tests::support`.

#[path = "system/auth.rs"]
mod auth;
#[path = "system/billing.rs"]
mod billing;
#[path = "system/catalog.rs"]
mod catalog;
#[path = "system/embedded_infra.rs"]
mod embedded_infra;
#[path = "system/gateway.rs"]
mod gateway;
#[path = "system/platform.rs"]
mod platform;
