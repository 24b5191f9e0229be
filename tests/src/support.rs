//! Fixtures: a manual clock at the tests' epoch and helpers around it.

pub mod auth;
pub mod billing;
pub mod catalog;
pub mod counting;
pub mod gateway;
pub mod platform;

use std::sync::Arc;

use mediaflow_shared::clock::{ManualClock, SharedClock};

/// A manual clock at 2026-01-01T00:00:00Z, plus the same clock as a shared handle.
pub fn manual_clock() -> (Arc<ManualClock>, SharedClock) {
    let clock = Arc::new(ManualClock::at_epoch());
    let shared: SharedClock = clock.clone();
    (clock, shared)
}

/// A key set, issuer and access-token verifier on a manual clock.
#[derive(Debug)]
pub struct JwtFixture {
    /// The clock the verifier reads.
    pub clock: Arc<ManualClock>,
    /// The same clock, shared.
    pub shared: SharedClock,
    /// Keys (`k1` active).
    pub keys: mediaflow_shared::auth::KeySet,
    /// Signs with `k1`.
    pub issuer: mediaflow_shared::auth::JwtIssuer,
    /// Verifies access tokens for issuer `https://auth.mediaflow.test`, audience `mediaflow`, leeway 30 s.
    pub verifier: mediaflow_shared::auth::JwtVerifier,
}

impl JwtFixture {
    /// Claims for `user-1` (viewer), valid from now for `ttl_secs`.
    pub fn claims(
        &self,
        typ: mediaflow_shared::auth::TokenType,
        ttl_secs: i64,
    ) -> mediaflow_shared::auth::Claims {
        use mediaflow_shared::clock::Clock;
        let now = self.clock.now().timestamp();
        mediaflow_shared::auth::Claims {
            sub: "user-1".into(),
            iss: "https://auth.mediaflow.test".into(),
            aud: "mediaflow".into(),
            exp: now + ttl_secs,
            nbf: now,
            iat: now,
            jti: "jti-1".into(),
            typ,
            roles: vec![mediaflow_shared::auth::Role::Viewer],
            fam: None,
        }
    }
}

/// The standard JWT fixture.
pub fn jwt_fixture() -> JwtFixture {
    use mediaflow_shared::auth::{
        JwtIssuer, JwtVerifier, KeySet, SigningKey, TokenType, VerifierConfig,
    };
    let (clock, shared) = manual_clock();
    let keys = KeySet::single(
        SigningKey::new("k1", b"0123456789abcdef0123456789abcdef".to_vec()).expect("valid key"),
    );
    let config = VerifierConfig {
        issuer: "https://auth.mediaflow.test".into(),
        audience: "mediaflow".into(),
        leeway: std::time::Duration::from_secs(30),
        token_type: TokenType::Access,
    };
    let verifier = JwtVerifier::new(config, keys.clone(), shared.clone()).expect("valid verifier");
    JwtFixture {
        clock,
        shared,
        issuer: JwtIssuer::new(keys.clone()),
        keys,
        verifier,
    }
}
