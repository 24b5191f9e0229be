//! What the tokens of a session say: access-token claims (roles, session) and
//! refresh-token claims (family, id), plus the fingerprint under which a refresh
//! token is stored and the constant-time comparison used to match it.
//!
//! A session is a refresh-token *family*: login starts one, each refresh rotates
//! to a new token of the same family, and logout or a detected reuse revokes it.
//! Access tokens carry the family in `fam` too, so the auth service can refuse
//! them once their session is revoked.

use std::time::Duration;

use mediaflow_shared::auth::{Claims, JwtSettings, TokenType};
use mediaflow_shared::clock::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::profile::RoleSet;

/// The `token_type` of every token response (RFC 6750).
pub const BEARER: &str = "Bearer";

/// An access token and the refresh token that renews it, as handed to the client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenPair {
    /// Sent as `Authorization: Bearer …` with each request.
    pub access_token: String,
    /// Exchanged at `/refresh` for a new pair; usable once.
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
}

/// The constant part of every token: issuer, audience and lifetimes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimsTemplate {
    /// `iss`.
    pub issuer: String,
    /// `aud`.
    pub audience: String,
    /// Lifetime of access tokens.
    pub access_ttl: Duration,
    /// Lifetime of each refresh token (each rotation starts a new one).
    pub refresh_ttl: Duration,
}

fn seconds(duration: Duration) -> i64 {
    i64::try_from(duration.as_secs()).unwrap_or(i64::MAX)
}

impl ClaimsTemplate {
    /// The template of a deployment's JWT settings.
    pub fn from_settings(settings: &JwtSettings) -> Self {
        Self {
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            access_ttl: settings.access_ttl,
            refresh_ttl: settings.refresh_ttl,
        }
    }

    /// `expires_in` of a token response.
    pub fn access_expires_in(&self) -> u64 {
        self.access_ttl.as_secs()
    }

    /// Claims of an access token for `user_id` in session `family`, carrying the
    /// user's roles as they are now.
    pub fn access(
        &self,
        user_id: &str,
        roles: &RoleSet,
        family: &str,
        jti: String,
        now: Timestamp,
    ) -> Claims {
        let iat = now.timestamp();
        Claims {
            sub: user_id.to_owned(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: iat.saturating_add(seconds(self.access_ttl)),
            nbf: iat,
            iat,
            jti,
            typ: TokenType::Access,
            roles: roles.to_vec(),
            fam: Some(family.to_owned()),
        }
    }

    /// Claims of refresh token `jti` of session `family`. Roles are left out: a
    /// refresh reads them afresh, so a role change reaches the next access token.
    pub fn refresh(&self, user_id: &str, family: &str, jti: String, now: Timestamp) -> Claims {
        let iat = now.timestamp();
        Claims {
            sub: user_id.to_owned(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: iat.saturating_add(seconds(self.refresh_ttl)),
            nbf: iat,
            iat,
            jti,
            typ: TokenType::Refresh,
            roles: Vec::new(),
            fam: Some(family.to_owned()),
        }
    }
}

/// SHA-256 of a token in lowercase hex: what the store keeps instead of the token,
/// so a leaked table holds nothing a client could present.
pub fn fingerprint(token: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(token.as_bytes());
    let mut hex = String::with_capacity(digest.len() * 2);
    for byte in digest.iter() {
        hex.push(char::from(HEX[usize::from(byte >> 4)]));
        hex.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    hex
}

/// Compares two byte strings in time that depends only on their lengths, so a
/// mismatch does not reveal how many leading bytes matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(difference) == 0
}
