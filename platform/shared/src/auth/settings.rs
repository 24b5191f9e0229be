//! JWT settings every service reads once at startup: the key set (all services
//! verify; auth also signs), issuer, audience and token lifetimes.

use std::time::Duration;

use crate::auth::{KeySet, SigningKey, TokenType, VerifierConfig};
use crate::config::{ConfigError, Env};

/// Token settings shared by the platform.
#[derive(Debug, Clone)]
pub struct JwtSettings {
    /// Keys by `kid`; the active one signs.
    pub keys: KeySet,
    /// `iss` of every token.
    pub issuer: String,
    /// `aud` of every token.
    pub audience: String,
    /// Lifetime of access tokens.
    pub access_ttl: Duration,
    /// Lifetime of refresh tokens.
    pub refresh_ttl: Duration,
    /// Clock-skew allowance when verifying.
    pub leeway: Duration,
}

impl JwtSettings {
    /// Reads `MEDIAFLOW_JWT_KEYS` (`kid:secret[,kid:secret…]`, secrets of at least
    /// 32 bytes), `MEDIAFLOW_JWT_ACTIVE_KID` (default: the first), `MEDIAFLOW_JWT_ISSUER`,
    /// `MEDIAFLOW_JWT_AUDIENCE`, `MEDIAFLOW_JWT_ACCESS_TTL`, `MEDIAFLOW_JWT_REFRESH_TTL`.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        const VAR: &str = "MEDIAFLOW_JWT_KEYS";
        let raw = env.secret(VAR, 1)?;
        let mut keys = Vec::new();
        for entry in raw.expose().split(',') {
            let invalid = |why: String| ConfigError::Invalid {
                var: VAR.to_owned(),
                value: "***".to_owned(),
                expected: why,
            };
            let (kid, secret) = entry
                .trim()
                .split_once(':')
                .ok_or_else(|| invalid("comma-separated kid:secret pairs".to_owned()))?;
            keys.push(
                SigningKey::new(kid, secret.as_bytes().to_vec())
                    .map_err(|e| invalid(e.to_string()))?,
            );
        }
        let first = keys.first().map(|k| k.kid().to_owned()).unwrap_or_default();
        let active = env.string("MEDIAFLOW_JWT_ACTIVE_KID", &first);
        let keys = KeySet::new(&active, keys).map_err(|e| ConfigError::Invalid {
            var: "MEDIAFLOW_JWT_ACTIVE_KID".to_owned(),
            value: active.clone(),
            expected: e.to_string(),
        })?;
        Ok(Self {
            keys,
            issuer: env.string("MEDIAFLOW_JWT_ISSUER", "mediaflow-auth"),
            audience: env.string("MEDIAFLOW_JWT_AUDIENCE", "mediaflow"),
            access_ttl: env.duration("MEDIAFLOW_JWT_ACCESS_TTL", Duration::from_secs(15 * 60))?,
            refresh_ttl: env.duration(
                "MEDIAFLOW_JWT_REFRESH_TTL",
                Duration::from_secs(14 * 24 * 3600),
            )?,
            leeway: env.duration("MEDIAFLOW_JWT_LEEWAY", Duration::from_secs(30))?,
        })
    }

    /// Settings around one key, with the platform's defaults (tests, dev platform).
    pub fn with_key(key: SigningKey) -> Self {
        Self {
            keys: KeySet::single(key),
            issuer: "mediaflow-auth".to_owned(),
            audience: "mediaflow".to_owned(),
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(14 * 24 * 3600),
            leeway: Duration::from_secs(30),
        }
    }

    /// What a verifier of `token_type` tokens requires.
    pub fn verifier_config(&self, token_type: TokenType) -> VerifierConfig {
        VerifierConfig {
            issuer: self.issuer.clone(),
            audience: self.audience.clone(),
            leeway: self.leeway,
            token_type,
        }
    }
}
