//! Fixtures of the billing tests: the signing key, settings with fast retries and
//! a long heartbeat, manual-clock infrastructure, calendar days, and a database
//! override to slide a decorator under the billing service.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use mediaflow_billing::settings::{LockSettings, PaymentSettings};
use mediaflow_billing::{Settings, SimulatedProvider};
use mediaflow_shared::Infra;
use mediaflow_shared::auth::{JwtSettings, SigningKey};
use mediaflow_shared::clock::{ManualClock, Timestamp};
use mediaflow_shared::http::HeartbeatSettings;
use mediaflow_shared::resilience::{Jitter, RetryPolicy};
use mediaflow_shared::store::{SqlDatabases, SqlStore};

use crate::support::manual_clock;

/// The secret billing tests sign tokens with (`kid` `k1`).
pub const TEST_SECRET: &[u8] = b"billing-test-signing-secret-0123456789abcd";

/// The admin every refund and renewal call is made as.
pub const ADMIN: &str = "admin-1";

/// A registration that outlives any test; the background beat runs on real time.
pub const LONG_HEARTBEAT: HeartbeatSettings = HeartbeatSettings {
    ttl: Duration::from_secs(365 * 24 * 3600),
    interval: Duration::from_secs(60),
};

/// JWT settings around the test key.
pub fn jwt_settings() -> JwtSettings {
    JwtSettings::with_key(SigningKey::new("k1", TEST_SECRET.to_vec()).expect("valid test key"))
}

/// Production settings with `provider`, a long heartbeat and fast, jitter-free
/// payment retries (their sleeps advance the manual clock, not real time).
pub fn settings(provider: Arc<SimulatedProvider>) -> Settings {
    let mut settings = Settings::new(jwt_settings());
    settings.provider = provider;
    settings.heartbeat = LONG_HEARTBEAT;
    settings.payments = PaymentSettings {
        timeout: Duration::from_secs(2),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(400),
            multiplier: 2,
            jitter: Jitter::None,
        },
    };
    settings.locks = LockSettings {
        ttl: Duration::from_secs(60),
        wait: Duration::from_secs(5),
        poll: Duration::from_millis(25),
    };
    settings
}

/// Embedded infrastructure on a manual clock with seeded ids.
pub fn infra() -> (Arc<ManualClock>, Infra) {
    let (clock, shared) = manual_clock();
    (clock, Infra::embedded_with_clock(shared, 29))
}

/// A UTC instant at midnight on a calendar day.
pub fn day(year: i32, month: u32, day: u32) -> Timestamp {
    Utc.with_ymd_and_hms(year, month, day, 0, 0, 0)
        .single()
        .expect("a valid calendar day")
}

/// Serves the billing database from a given store and every other database from
/// the databases it wraps.
#[derive(Debug)]
pub struct BillingDatabase {
    store: Arc<dyn SqlStore>,
    rest: Arc<dyn SqlDatabases>,
}

impl SqlDatabases for BillingDatabase {
    fn database(&self, name: &str) -> Arc<dyn SqlStore> {
        if name == mediaflow_billing::SERVICE {
            Arc::clone(&self.store)
        } else {
            self.rest.database(name)
        }
    }
}

/// `infra` with the billing database replaced by `store` (a decorator around
/// `infra.database("billing")`, typically).
pub fn with_billing_store(infra: &Infra, store: Arc<dyn SqlStore>) -> Infra {
    let databases = BillingDatabase {
        store,
        rest: infra.databases.clone(),
    };
    infra.clone().with_databases(Arc::new(databases))
}
