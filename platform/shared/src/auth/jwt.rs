//! JWT in compact form with HS256. Verification pins the algorithm (no `none`, no
//! algorithm confusion), requires a known `kid`, checks the signature in constant
//! time, then `exp`/`nbf` against the injected clock with a bounded leeway, the
//! issuer, the audience and the token type.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use thiserror::Error;

use super::keys::{KeySet, SigningKey};
use super::roles::Role;
use crate::clock::SharedClock;

/// The only algorithm accepted.
pub const ALGORITHM: &str = "HS256";

/// Largest clock-skew allowance a verifier may be configured with.
pub const MAX_LEEWAY: Duration = Duration::from_secs(60);

/// Access tokens authorise requests; refresh tokens only obtain new access tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenType {
    /// Short-lived, sent with each request.
    Access,
    /// Long-lived, exchanged at the auth service only.
    Refresh,
}

/// Registered and private claims the platform uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Subject: the user id.
    pub sub: String,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Not before, seconds since the epoch.
    pub nbf: i64,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Unique token id (revocation, refresh families).
    pub jti: String,
    /// Token type.
    pub typ: TokenType,
    /// Roles of the subject.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Refresh-token family (rotation with reuse detection).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fam: Option<String>,
}

impl Claims {
    /// Whether the subject has `role` or a role that includes it.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.iter().any(|r| r.includes(role))
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    typ: Option<String>,
    #[serde(default)]
    kid: Option<String>,
}

/// Why a token was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum JwtError {
    /// Not three base64url parts of JSON.
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    /// `alg` is not HS256 (`none`, RS256, …).
    #[error("algorithm `{0}` is not accepted; only HS256 is")]
    UnsupportedAlgorithm(String),
    /// No `kid`, or one this service does not know.
    #[error("unknown signing key `{0}`")]
    UnknownKey(String),
    /// The signature does not match.
    #[error("invalid signature")]
    BadSignature,
    /// `exp` has passed (beyond the leeway).
    #[error("token expired")]
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    #[error("token not valid yet")]
    NotYetValid,
    /// Wrong `iss`.
    #[error("unexpected issuer `{0}`")]
    WrongIssuer(String),
    /// Wrong `aud`.
    #[error("unexpected audience `{0}`")]
    WrongAudience(String),
    /// A refresh token where an access token is required, or the reverse.
    #[error("expected a {expected:?} token, got {found:?}")]
    WrongType {
        /// Required type.
        expected: TokenType,
        /// Presented type.
        found: TokenType,
    },
    /// The verifier was configured with too large a leeway.
    #[error("leeway {0:?} exceeds the maximum of 60s")]
    LeewayTooLarge(Duration),
}

fn mac(key: &SigningKey) -> Hmac<Sha256> {
    <Hmac<Sha256> as KeyInit>::new_from_slice(key.secret())
        .expect("HMAC accepts keys of any length")
}

/// Signs tokens with the active key of a key set.
#[derive(Debug, Clone)]
pub struct JwtIssuer {
    keys: KeySet,
}

impl JwtIssuer {
    /// An issuer over a key set.
    pub fn new(keys: KeySet) -> Self {
        Self { keys }
    }

    /// The compact serialisation of `claims`, signed with the active key.
    pub fn sign(&self, claims: &Claims) -> String {
        let key = self.keys.active();
        let header = Header {
            alg: ALGORITHM.to_owned(),
            typ: Some("JWT".to_owned()),
            kid: Some(key.kid().to_owned()),
        };
        let encode = |v: &[u8]| URL_SAFE_NO_PAD.encode(v);
        let signing_input = format!(
            "{}.{}",
            encode(&serde_json::to_vec(&header).expect("header serialises")),
            encode(&serde_json::to_vec(claims).expect("claims serialise")),
        );
        let mut mac = mac(key);
        mac.update(signing_input.as_bytes());
        let signature = encode(&mac.finalize().into_bytes());
        format!("{signing_input}.{signature}")
    }
}

/// What a verifier requires of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierConfig {
    /// Required `iss`.
    pub issuer: String,
    /// Required `aud`.
    pub audience: String,
    /// Allowed clock skew for `exp` and `nbf` (at most [`MAX_LEEWAY`]).
    pub leeway: Duration,
    /// Required token type.
    pub token_type: TokenType,
}

/// Verifies tokens.
#[derive(Debug, Clone)]
pub struct JwtVerifier {
    config: VerifierConfig,
    keys: KeySet,
    clock: SharedClock,
}

impl JwtVerifier {
    /// A verifier; refuses a leeway above [`MAX_LEEWAY`].
    pub fn new(config: VerifierConfig, keys: KeySet, clock: SharedClock) -> Result<Self, JwtError> {
        if config.leeway > MAX_LEEWAY {
            return Err(JwtError::LeewayTooLarge(config.leeway));
        }
        Ok(Self {
            config,
            keys,
            clock,
        })
    }

    /// The settings.
    pub fn config(&self) -> &VerifierConfig {
        &self.config
    }

    /// Verifies a compact token and returns its claims.
    pub fn verify(&self, token: &str) -> Result<Claims, JwtError> {
        let mut parts = token.split('.');
        let (Some(header_b64), Some(claims_b64), Some(signature_b64), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(JwtError::Malformed("expected three dot-separated parts"));
        };
        let decode = |part: &str| {
            URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|_| JwtError::Malformed("invalid base64url"))
        };
        let header: Header = serde_json::from_slice(&decode(header_b64)?)
            .map_err(|_| JwtError::Malformed("header is not JSON"))?;
        if header.alg != ALGORITHM {
            return Err(JwtError::UnsupportedAlgorithm(header.alg));
        }
        let kid = header.kid.unwrap_or_default();
        let key = self
            .keys
            .get(&kid)
            .ok_or(JwtError::UnknownKey(kid.clone()))?;
        let signature = decode(signature_b64)?;
        let mut mac = mac(key);
        mac.update(header_b64.as_bytes());
        mac.update(b".");
        mac.update(claims_b64.as_bytes());
        mac.verify_slice(&signature)
            .map_err(|_| JwtError::BadSignature)?;

        let claims: Claims = serde_json::from_slice(&decode(claims_b64)?)
            .map_err(|_| JwtError::Malformed("claims are missing or invalid"))?;
        let now = self.clock.now().timestamp();
        let leeway = i64::try_from(self.config.leeway.as_secs()).unwrap_or(i64::MAX);
        if now >= claims.exp.saturating_add(leeway) {
            return Err(JwtError::Expired);
        }
        if now.saturating_add(leeway) < claims.nbf {
            return Err(JwtError::NotYetValid);
        }
        if claims.iss != self.config.issuer {
            return Err(JwtError::WrongIssuer(claims.iss));
        }
        if claims.aud != self.config.audience {
            return Err(JwtError::WrongAudience(claims.aud));
        }
        if claims.typ != self.config.token_type {
            return Err(JwtError::WrongType {
                expected: self.config.token_type,
                found: claims.typ,
            });
        }
        Ok(claims)
    }
}
