//! Helpers for the billing service's tests: settings with fast, jitter-free
//! payment retries, calendar days, and the service on an ephemeral port with a
//! scriptable simulated payment provider ([`BillingHarness`]).

mod harness;

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use mediaflow_billing::settings::{LockSettings, PaymentSettings};
use mediaflow_billing::{Settings, SimulatedProvider};
use mediaflow_shared::clock::Timestamp;
use mediaflow_shared::resilience::{Jitter, RetryPolicy};

use super::fixtures::{LONG_HEARTBEAT, jwt_settings};

pub use harness::BillingHarness;

/// The admin every refund and renewal call is made as.
pub const ADMIN: &str = "admin-1";

/// Three payment attempts 100 ms then 200 ms apart (capped at 400 ms), without
/// jitter; the sleeps advance the manual clock, not real time.
pub const FAST_PAYMENT_RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    base_delay: Duration::from_millis(100),
    max_delay: Duration::from_millis(400),
    multiplier: 2,
    jitter: Jitter::None,
};

/// Production settings with `provider`, a long heartbeat, a 2 s payment timeout
/// with [`FAST_PAYMENT_RETRY`], and short lock waits.
pub fn settings(provider: Arc<SimulatedProvider>) -> Settings {
    let mut settings = Settings::new(jwt_settings());
    settings.provider = provider;
    settings.heartbeat = LONG_HEARTBEAT;
    settings.payments = PaymentSettings {
        timeout: Duration::from_secs(2),
        retry: FAST_PAYMENT_RETRY,
    };
    settings.locks = LockSettings {
        ttl: Duration::from_secs(60),
        wait: Duration::from_secs(5),
        poll: Duration::from_millis(25),
    };
    settings
}

/// A UTC instant at midnight on a calendar day.
pub fn day(year: i32, month: u32, day: u32) -> Timestamp {
    Utc.with_ymd_and_hms(year, month, day, 0, 0, 0)
        .single()
        .expect("a valid calendar day")
}
