//! Security tests: token validation, injection, traversal.
//!
//! One module per topic; shared helpers live in `mediaflow_tests::support`.

#[path = "security/auth.rs"]
mod auth;
#[path = "security/billing.rs"]
mod billing;
#[path = "security/catalog.rs"]
mod catalog;
#[path = "security/gateway.rs"]
mod gateway;
#[path = "security/jwt.rs"]
mod jwt;
#[path = "security/object_keys.rs"]
mod object_keys;
#[path = "security/sql_parameters.rs"]
mod sql_parameters;
