//! Typed settings of the auth service, read once from `MEDIAFLOW_*` variables at the
//! edge and passed by value into [`crate::start`].

use std::time::Duration;

use mediaflow_shared::auth::JwtSettings;
use mediaflow_shared::config::{ConfigError, Env};
use mediaflow_shared::http::HeartbeatSettings;

use crate::domain::{Email, LockoutPolicy};
use crate::hashing::HashingParams;

/// Everything the auth service is configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Keys (the active one signs), issuer, audience and token lifetimes.
    pub jwt: JwtSettings,
    /// Registration TTL and heartbeat interval in the service registry.
    pub heartbeat: HeartbeatSettings,
    /// Argon2id costs of new password hashes.
    pub hashing: HashingParams,
    /// Failed logins that lock an account, and for how long.
    pub lockout: LockoutPolicy,
    /// How often the outbox relay retries events a failed pass left behind
    /// (committed events are published at once, without waiting for the tick).
    pub relay_tick: Duration,
    /// Addresses whose registration receives the admin role: how a fresh
    /// deployment gets its first administrator. Set only addresses you control.
    pub bootstrap_admins: Vec<Email>,
}

/// Largest Argon2 memory cost accepted from the environment (4 GiB).
const MAX_MEMORY_KIB: u32 = 4 * 1024 * 1024;

impl Settings {
    /// Production defaults around the given JWT settings: OWASP Argon2id costs,
    /// five failures per fifteen minutes, a one-second relay tick.
    pub fn new(jwt: JwtSettings) -> Self {
        Self {
            jwt,
            heartbeat: HeartbeatSettings::default(),
            hashing: HashingParams::OWASP,
            lockout: LockoutPolicy::default(),
            relay_tick: Duration::from_secs(1),
            bootstrap_admins: Vec::new(),
        }
    }

    /// Reads the JWT variables (see [`JwtSettings::from_env`]) and
    /// `MEDIAFLOW_HEARTBEAT_TTL`, `MEDIAFLOW_HEARTBEAT_INTERVAL`,
    /// `MEDIAFLOW_AUTH_ARGON2_MEMORY_KIB`, `MEDIAFLOW_AUTH_ARGON2_ITERATIONS`,
    /// `MEDIAFLOW_AUTH_ARGON2_PARALLELISM`, `MEDIAFLOW_AUTH_LOCKOUT_THRESHOLD`,
    /// `MEDIAFLOW_AUTH_LOCKOUT_WINDOW`, `MEDIAFLOW_AUTH_LOCKOUT_DURATION`,
    /// `MEDIAFLOW_AUTH_RELAY_TICK` and `MEDIAFLOW_AUTH_BOOTSTRAP_ADMINS`
    /// (comma-separated emails). Unset variables keep the defaults of [`Settings::new`].
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let defaults = Self::new(JwtSettings::from_env(env)?);
        let heartbeat = HeartbeatSettings::from_env(env)?;
        let hashing = hashing_from_env(env, defaults.hashing)?;
        let lockout = LockoutPolicy {
            max_failures: env.number_in(
                "MEDIAFLOW_AUTH_LOCKOUT_THRESHOLD",
                defaults.lockout.max_failures,
                1,
                100,
            )?,
            window: positive(
                env,
                "MEDIAFLOW_AUTH_LOCKOUT_WINDOW",
                defaults.lockout.window,
            )?,
            lock_for: positive(
                env,
                "MEDIAFLOW_AUTH_LOCKOUT_DURATION",
                defaults.lockout.lock_for,
            )?,
        };
        Ok(Self {
            heartbeat,
            hashing,
            lockout,
            relay_tick: positive(env, "MEDIAFLOW_AUTH_RELAY_TICK", defaults.relay_tick)?,
            bootstrap_admins: bootstrap_admins_from_env(env)?,
            ..defaults
        })
    }
}

/// A duration that must be greater than zero.
fn positive(env: &Env, var: &str, default: Duration) -> Result<Duration, ConfigError> {
    let value = env.duration(var, default)?;
    if value.is_zero() {
        return Err(ConfigError::Invalid {
            var: var.to_owned(),
            value: "0".to_owned(),
            expected: "a duration greater than zero".to_owned(),
        });
    }
    Ok(value)
}

fn hashing_from_env(env: &Env, defaults: HashingParams) -> Result<HashingParams, ConfigError> {
    let params = HashingParams {
        memory_kib: env.number_in(
            "MEDIAFLOW_AUTH_ARGON2_MEMORY_KIB",
            defaults.memory_kib,
            8,
            MAX_MEMORY_KIB,
        )?,
        iterations: env.number_in(
            "MEDIAFLOW_AUTH_ARGON2_ITERATIONS",
            defaults.iterations,
            1,
            64,
        )?,
        parallelism: env.number_in(
            "MEDIAFLOW_AUTH_ARGON2_PARALLELISM",
            defaults.parallelism,
            1,
            64,
        )?,
    };
    params.argon2().map_err(|e| ConfigError::Invalid {
        var: "MEDIAFLOW_AUTH_ARGON2_MEMORY_KIB".to_owned(),
        value: params.memory_kib.to_string(),
        expected: e.to_string(),
    })?;
    Ok(params)
}

fn bootstrap_admins_from_env(env: &Env) -> Result<Vec<Email>, ConfigError> {
    const VAR: &str = "MEDIAFLOW_AUTH_BOOTSTRAP_ADMINS";
    let Some(raw) = env.raw(VAR) else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            Email::parse(entry).map_err(|e| ConfigError::Invalid {
                var: VAR.to_owned(),
                value: entry.to_owned(),
                expected: format!("comma-separated email addresses ({e})"),
            })
        })
        .collect()
}
