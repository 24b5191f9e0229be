//! The gateway's typed settings, read once from `MEDIAFLOW_*` variables at the
//! edge and passed by value into [`crate::start`].

use std::time::Duration;

use mediaflow_shared::auth::JwtSettings;
use mediaflow_shared::config::{ConfigError, Env};
use mediaflow_shared::http::{HeartbeatSettings, UpstreamPolicy};
use mediaflow_shared::resilience::{BreakerConfig, Jitter, RetryPolicy};

use crate::domain::client_ip::TrustedProxies;
use crate::domain::cors::{CorsPolicy, Origin};
use crate::domain::rate_limit::RateLimit;
use crate::upstreams::KNOWN_UPSTREAMS;

/// Everything the gateway needs to run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Keys, issuer and audience the access tokens are verified against.
    pub jwt: JwtSettings,
    /// Registration TTL and heartbeat interval.
    pub heartbeat: HeartbeatSettings,
    /// The startup readiness gate.
    pub readiness: ReadinessSettings,
    /// Timeout, retries and breaker per upstream.
    pub upstream: UpstreamPolicy,
    /// Time budget of each part of `GET /api/home`.
    pub home: HomeTimeouts,
    /// Token buckets per user and per client IP.
    pub rate_limits: RateLimits,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: TrustedProxies,
    /// Cross-origin access.
    pub cors: CorsPolicy,
    /// Largest request body forwarded, in bytes.
    pub max_body_bytes: usize,
}

/// The startup gate: the gateway serves only once the services it cannot work
/// without have registered, so its first requests do not all fail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadinessSettings {
    /// Services that must have a healthy instance before the gateway starts.
    pub required: Vec<String>,
    /// How long to wait for them before giving up.
    pub timeout: Duration,
    /// Pause between registry checks.
    pub poll: Duration,
}

/// Each home-page part gets its own budget, so a slow part cannot hold up the
/// others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HomeTimeouts {
    /// Catalog's trending list.
    pub trending: Duration,
    /// Recommendations for the user.
    pub recommendations: Duration,
    /// The user's watch history.
    pub history: Duration,
}

/// The two token-bucket limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Per token subject (authenticated requests).
    pub per_user: RateLimit,
    /// Per client IP (every request).
    pub per_ip: RateLimit,
    /// Buckets kept per limit before idle ones are forgotten (bounds memory under
    /// a flood of distinct clients).
    pub max_tracked: usize,
}

const MINUTE: Duration = Duration::from_secs(60);

impl Settings {
    /// Production defaults around the given JWT settings: auth, catalog and
    /// billing required within 30 s; 100 requests per minute per user, 300 per IP;
    /// no trusted proxies; no cross-origin access until origins are configured.
    pub fn new(jwt: JwtSettings) -> Self {
        Self {
            jwt,
            heartbeat: HeartbeatSettings::default(),
            readiness: ReadinessSettings {
                required: ["auth", "catalog", "billing"].map(str::to_owned).to_vec(),
                timeout: Duration::from_secs(30),
                poll: Duration::from_millis(250),
            },
            upstream: UpstreamPolicy {
                timeout: Duration::from_secs(3),
                retry: RetryPolicy {
                    max_attempts: 3,
                    base_delay: Duration::from_millis(50),
                    max_delay: Duration::from_secs(1),
                    multiplier: 2,
                    jitter: Jitter::Full,
                },
                breaker: BreakerConfig::default(),
            },
            home: HomeTimeouts {
                trending: Duration::from_millis(800),
                recommendations: Duration::from_millis(500),
                history: Duration::from_millis(500),
            },
            rate_limits: RateLimits {
                per_user: RateLimit {
                    capacity: 100,
                    refill_tokens: 100,
                    refill_period: MINUTE,
                },
                per_ip: RateLimit {
                    capacity: 300,
                    refill_tokens: 300,
                    refill_period: MINUTE,
                },
                max_tracked: 100_000,
            },
            trusted_proxies: TrustedProxies::default(),
            cors: CorsPolicy::new([]),
            max_body_bytes: 16 * 1024 * 1024,
        }
    }

    /// Reads every variable the gateway uses: `MEDIAFLOW_JWT_*`,
    /// `MEDIAFLOW_HEARTBEAT_TTL` / `_INTERVAL`, and `MEDIAFLOW_GATEWAY_*`:
    /// `REQUIRED_SERVICES`, `READINESS_TIMEOUT`, `READINESS_POLL`,
    /// `UPSTREAM_TIMEOUT`, `UPSTREAM_ATTEMPTS`, `RETRY_BASE_DELAY`,
    /// `BREAKER_THRESHOLD`, `BREAKER_COOL_DOWN`, `HOME_TRENDING_TIMEOUT`,
    /// `HOME_RECOMMENDATIONS_TIMEOUT`, `HOME_HISTORY_TIMEOUT`, `USER_RATE`,
    /// `USER_BURST`, `IP_RATE`, `IP_BURST`, `RATE_LIMIT_MAX_TRACKED`,
    /// `TRUSTED_PROXIES`, `CORS_ORIGINS`, `MAX_BODY_BYTES`.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let mut s = Self::new(JwtSettings::from_env(env)?);
        s.heartbeat = HeartbeatSettings::from_env(env)?;
        if let Some(list) = env.raw("MEDIAFLOW_GATEWAY_REQUIRED_SERVICES") {
            s.readiness.required = parse_services("MEDIAFLOW_GATEWAY_REQUIRED_SERVICES", list)?;
        }
        s.readiness.timeout =
            env.duration("MEDIAFLOW_GATEWAY_READINESS_TIMEOUT", s.readiness.timeout)?;
        s.readiness.poll = env.duration("MEDIAFLOW_GATEWAY_READINESS_POLL", s.readiness.poll)?;

        s.upstream.timeout =
            env.duration("MEDIAFLOW_GATEWAY_UPSTREAM_TIMEOUT", s.upstream.timeout)?;
        s.upstream.retry.max_attempts = env.number_in(
            "MEDIAFLOW_GATEWAY_UPSTREAM_ATTEMPTS",
            s.upstream.retry.max_attempts,
            1,
            10,
        )?;
        s.upstream.retry.base_delay = env.duration(
            "MEDIAFLOW_GATEWAY_RETRY_BASE_DELAY",
            s.upstream.retry.base_delay,
        )?;
        s.upstream.breaker.failure_threshold = env.number_in(
            "MEDIAFLOW_GATEWAY_BREAKER_THRESHOLD",
            s.upstream.breaker.failure_threshold,
            1,
            1_000,
        )?;
        s.upstream.breaker.cool_down = env.duration(
            "MEDIAFLOW_GATEWAY_BREAKER_COOL_DOWN",
            s.upstream.breaker.cool_down,
        )?;

        s.home = HomeTimeouts {
            trending: env.duration("MEDIAFLOW_GATEWAY_HOME_TRENDING_TIMEOUT", s.home.trending)?,
            recommendations: env.duration(
                "MEDIAFLOW_GATEWAY_HOME_RECOMMENDATIONS_TIMEOUT",
                s.home.recommendations,
            )?,
            history: env.duration("MEDIAFLOW_GATEWAY_HOME_HISTORY_TIMEOUT", s.home.history)?,
        };

        s.rate_limits.per_user = rate(
            env,
            "MEDIAFLOW_GATEWAY_USER_RATE",
            "MEDIAFLOW_GATEWAY_USER_BURST",
            s.rate_limits.per_user,
        )?;
        s.rate_limits.per_ip = rate(
            env,
            "MEDIAFLOW_GATEWAY_IP_RATE",
            "MEDIAFLOW_GATEWAY_IP_BURST",
            s.rate_limits.per_ip,
        )?;
        s.rate_limits.max_tracked = env.number_in(
            "MEDIAFLOW_GATEWAY_RATE_LIMIT_MAX_TRACKED",
            s.rate_limits.max_tracked,
            1,
            10_000_000,
        )?;

        if let Some(list) = env.raw("MEDIAFLOW_GATEWAY_TRUSTED_PROXIES") {
            s.trusted_proxies = TrustedProxies::parse(list)
                .map_err(|e| invalid("MEDIAFLOW_GATEWAY_TRUSTED_PROXIES", list, e))?;
        }
        if let Some(list) = env.raw("MEDIAFLOW_GATEWAY_CORS_ORIGINS") {
            let origins = list
                .split(',')
                .filter(|o| !o.trim().is_empty())
                .map(str::parse::<Origin>)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| invalid("MEDIAFLOW_GATEWAY_CORS_ORIGINS", list, e))?;
            s.cors = CorsPolicy::new(origins);
        }
        s.max_body_bytes = env.number_in(
            "MEDIAFLOW_GATEWAY_MAX_BODY_BYTES",
            s.max_body_bytes,
            1,
            1 << 30,
        )?;
        Ok(s)
    }
}

fn invalid(var: &str, value: &str, why: impl std::fmt::Display) -> ConfigError {
    ConfigError::Invalid {
        var: var.to_owned(),
        value: value.to_owned(),
        expected: why.to_string(),
    }
}

/// A comma-separated list of known upstream names; an unknown name is a typo that
/// would make the readiness gate wait for a service that never comes.
fn parse_services(var: &str, list: &str) -> Result<Vec<String>, ConfigError> {
    let mut services = Vec::new();
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !KNOWN_UPSTREAMS.contains(&name) {
            return Err(invalid(
                var,
                list,
                format!(
                    "comma-separated service names among {}",
                    KNOWN_UPSTREAMS.join(", ")
                ),
            ));
        }
        if !services.iter().any(|s| s == name) {
            services.push(name.to_owned());
        }
    }
    Ok(services)
}

/// A `<tokens>/<period>` rate from `rate_var` with the burst from `burst_var`
/// (default: the rate's token count, or the current capacity when unset).
fn rate(
    env: &Env,
    rate_var: &str,
    burst_var: &str,
    current: RateLimit,
) -> Result<RateLimit, ConfigError> {
    let (tokens, period) = match env.raw(rate_var) {
        Some(text) => {
            let parsed = RateLimit::parse(text, 1).map_err(|e| invalid(rate_var, text, e))?;
            (parsed.refill_tokens, parsed.refill_period)
        }
        None => (current.refill_tokens, current.refill_period),
    };
    let default_burst = if env.raw(rate_var).is_some() {
        tokens
    } else {
        current.capacity
    };
    let capacity = env.number_in(burst_var, default_burst, 1, u32::MAX)?;
    RateLimit::new(capacity, tokens, period)
        .map_err(|e| invalid(burst_var, &capacity.to_string(), e))
}
