//! Helpers for the billing service's tests: the service on an ephemeral port over
//! embedded infrastructure and a manual clock, a scriptable simulated payment
//! provider, tokens minted at the clock's current time, typed HTTP calls, an
//! event probe, and a database override to slide a counting or fault-injecting
//! store under the service.

mod fixtures;
mod harness;
mod probe;
mod reply;

pub use fixtures::{
    ADMIN, BillingDatabase, LONG_HEARTBEAT, TEST_SECRET, day, infra, jwt_settings, settings,
    with_billing_store,
};
pub use harness::BillingHarness;
pub use probe::EventProbe;
pub use reply::{Reply, send};
