//! Typed settings of the billing service, read once from `MEDIAFLOW_*` variables.

use std::sync::Arc;
use std::time::Duration;

use mediaflow_shared::auth::JwtSettings;
use mediaflow_shared::config::{ConfigError, Env};
use mediaflow_shared::http::HeartbeatSettings;
use mediaflow_shared::resilience::{Jitter, RetryPolicy};

use crate::payments::{FailureRates, SimulatedProvider};

/// How provider calls are timed out and retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentSettings {
    /// Limit per provider call.
    pub timeout: Duration,
    /// Retries of transient failures, always with the same provider key.
    pub retry: RetryPolicy,
}

impl PaymentSettings {
    /// Worst-case time one charge can take, retries and backoff included.
    pub fn worst_case(&self) -> Duration {
        let attempts = self.retry.max_attempts.max(1);
        let backoff: Duration = (1..attempts).map(|retry| self.retry.backoff(retry)).sum();
        self.timeout
            .saturating_mul(attempts)
            .saturating_add(backoff)
    }
}

/// The per-account lock that serialises subscription changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockSettings {
    /// Lease length; must outlast the slowest charge, or the lease lapses mid-change.
    pub ttl: Duration,
    /// How long a request waits for the lock before giving up.
    pub wait: Duration,
    /// Pause between attempts while waiting.
    pub poll: Duration,
}

/// How idempotency keys are held and kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdempotencySettings {
    /// After this long, a key still "in progress" is presumed abandoned (its
    /// request crashed) and a retry may take it over.
    pub lease: Duration,
    /// How long a key and its stored response are kept.
    pub retention: Duration,
}

/// The renewal run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RenewalSettings {
    /// Subscriptions processed per run at most.
    pub batch_size: u32,
    /// Declined renewal charges in a row after which a subscription is canceled.
    pub max_failures: u32,
}

/// The outbox relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelaySettings {
    /// Pass interval when nothing wakes it.
    pub tick: Duration,
    /// Events per pass.
    pub batch_size: usize,
}

/// Everything the billing service is configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Token verification.
    pub jwt: JwtSettings,
    /// Registration heartbeat.
    pub heartbeat: HeartbeatSettings,
    /// The payment provider. Simulated: shared so tests can script its answers.
    pub provider: Arc<SimulatedProvider>,
    /// Provider call timeouts and retries.
    pub payments: PaymentSettings,
    /// Per-account locking.
    pub locks: LockSettings,
    /// Idempotency keys.
    pub idempotency: IdempotencySettings,
    /// Renewals.
    pub renewals: RenewalSettings,
    /// Event relay.
    pub relay: RelaySettings,
}

impl Settings {
    /// Production defaults around the given token settings.
    pub fn new(jwt: JwtSettings) -> Self {
        Self {
            jwt,
            heartbeat: HeartbeatSettings::default(),
            provider: Arc::new(SimulatedProvider::new(0)),
            payments: PaymentSettings {
                timeout: Duration::from_secs(10),
                retry: RetryPolicy {
                    max_attempts: 3,
                    base_delay: Duration::from_millis(200),
                    max_delay: Duration::from_secs(2),
                    multiplier: 2,
                    jitter: Jitter::Full,
                },
            },
            locks: LockSettings {
                ttl: Duration::from_secs(60),
                wait: Duration::from_secs(5),
                poll: Duration::from_millis(25),
            },
            idempotency: IdempotencySettings {
                lease: Duration::from_secs(120),
                retention: Duration::from_secs(24 * 3600),
            },
            renewals: RenewalSettings {
                batch_size: 100,
                max_failures: 3,
            },
            relay: RelaySettings {
                tick: Duration::from_secs(1),
                batch_size: 100,
            },
        }
    }

    /// Reads the JWT settings and every `MEDIAFLOW_BILLING_*` variable, then checks
    /// the values against each other.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let defaults = Self::new(JwtSettings::from_env(env)?);
        let rate = |var: &str| env.number_in::<u32>(var, 0, 0, 10_000);
        let rates = FailureRates {
            decline_bp: rate("MEDIAFLOW_BILLING_PROVIDER_DECLINE_BP")?,
            timeout_bp: rate("MEDIAFLOW_BILLING_PROVIDER_TIMEOUT_BP")?,
            unavailable_bp: rate("MEDIAFLOW_BILLING_PROVIDER_UNAVAILABLE_BP")?,
        };
        let seed = env.number::<u64>("MEDIAFLOW_BILLING_PROVIDER_SEED", 0)?;
        let retry = defaults.payments.retry;
        let settings = Self {
            heartbeat: HeartbeatSettings::from_env(env)?,
            provider: Arc::new(SimulatedProvider::with_rates(seed, rates)),
            payments: PaymentSettings {
                timeout: env.duration(
                    "MEDIAFLOW_BILLING_PAYMENT_TIMEOUT",
                    defaults.payments.timeout,
                )?,
                retry: RetryPolicy {
                    max_attempts: env.number_in(
                        "MEDIAFLOW_BILLING_PAYMENT_ATTEMPTS",
                        retry.max_attempts,
                        1,
                        10,
                    )?,
                    base_delay: env
                        .duration("MEDIAFLOW_BILLING_PAYMENT_BACKOFF", retry.base_delay)?,
                    max_delay: env
                        .duration("MEDIAFLOW_BILLING_PAYMENT_MAX_BACKOFF", retry.max_delay)?,
                    ..retry
                },
            },
            locks: LockSettings {
                ttl: env.duration("MEDIAFLOW_BILLING_LOCK_TTL", defaults.locks.ttl)?,
                wait: env.duration("MEDIAFLOW_BILLING_LOCK_WAIT", defaults.locks.wait)?,
                poll: defaults.locks.poll,
            },
            idempotency: IdempotencySettings {
                lease: env.duration(
                    "MEDIAFLOW_BILLING_IDEMPOTENCY_LEASE",
                    defaults.idempotency.lease,
                )?,
                retention: env.duration(
                    "MEDIAFLOW_BILLING_IDEMPOTENCY_RETENTION",
                    defaults.idempotency.retention,
                )?,
            },
            renewals: RenewalSettings {
                batch_size: env.number_in(
                    "MEDIAFLOW_BILLING_RENEWAL_BATCH",
                    defaults.renewals.batch_size,
                    1,
                    10_000,
                )?,
                max_failures: env.number_in(
                    "MEDIAFLOW_BILLING_DUNNING_ATTEMPTS",
                    defaults.renewals.max_failures,
                    1,
                    10,
                )?,
            },
            relay: defaults.relay,
            jwt: defaults.jwt,
        };
        settings
            .validate()
            .map_err(|(var, value, expected)| ConfigError::Invalid {
                var: var.to_owned(),
                value,
                expected,
            })?;
        Ok(settings)
    }

    /// Checks the settings against each other: `(variable, value, expectation)` of
    /// the first contradiction.
    pub fn validate(&self) -> Result<(), (&'static str, String, String)> {
        let charge = self.payments.worst_case();
        if self.locks.ttl <= charge {
            return Err((
                "MEDIAFLOW_BILLING_LOCK_TTL",
                format!("{:?}", self.locks.ttl),
                format!(
                    "a lease longer than the slowest charge with its retries ({charge:?}), or the lock lapses mid-change"
                ),
            ));
        }
        if self.idempotency.lease <= charge {
            return Err((
                "MEDIAFLOW_BILLING_IDEMPOTENCY_LEASE",
                format!("{:?}", self.idempotency.lease),
                format!(
                    "a lease longer than the slowest charge with its retries ({charge:?}), or a retry takes over a live request"
                ),
            ));
        }
        if self.idempotency.retention < self.idempotency.lease {
            return Err((
                "MEDIAFLOW_BILLING_IDEMPOTENCY_RETENTION",
                format!("{:?}", self.idempotency.retention),
                "a retention at least as long as the idempotency lease".to_owned(),
            ));
        }
        Ok(())
    }
}
