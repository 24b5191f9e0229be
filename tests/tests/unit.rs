//! Unit tests: pure domain logic of the shared crate and the services.
//!
//! One module per topic; shared helpers live in `mediaflow_tests::support`.

#[path = "unit/breaker.rs"]
mod breaker;
#[path = "unit/bulkhead.rs"]
mod bulkhead;
#[path = "unit/clock.rs"]
mod clock;
#[path = "unit/config.rs"]
mod config;
#[path = "unit/envelope.rs"]
mod envelope;
#[path = "unit/fencing.rs"]
mod fencing;
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
#[path = "unit/timeout.rs"]
mod timeout;
#[path = "unit/upcast.rs"]
mod upcast;
