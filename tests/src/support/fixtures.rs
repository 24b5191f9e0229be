//! The fixtures every suite shares: a manual clock at the tests' epoch, embedded
//! infrastructure on it, one signing key and the tokens it signs, the heartbeat
//! and hashing costs services run with in tests, and an ephemeral port.

use std::sync::Arc;
use std::time::Duration;

use mediaflow_auth::HashingParams;
use mediaflow_shared::Infra;
use mediaflow_shared::auth::{
    Claims, JwtIssuer, JwtSettings, JwtVerifier, KeySet, Role, SigningKey, TokenType,
    VerifierConfig,
};
use mediaflow_shared::clock::{Clock, ManualClock, SharedClock};
use mediaflow_shared::http::HeartbeatSettings;
use tokio::net::TcpListener;

/// The secret every test token is signed with (key id [`KEY_ID`]).
pub const TEST_SECRET: &[u8] = b"mediaflow-test-signing-secret-0123456789ab";

/// The id of the test signing key, as it appears in a token's `kid` header.
pub const KEY_ID: &str = "k1";

/// The seed of the id generator behind [`infra`], so generated ids reproduce.
pub const SEED: u64 = 17;

/// A registration that outlives any test, even one that moves the manual clock
/// months ahead; the background beat runs on real time and never fires within a test.
pub const LONG_HEARTBEAT: HeartbeatSettings = HeartbeatSettings {
    ttl: Duration::from_secs(365 * 24 * 3600),
    interval: Duration::from_secs(60),
};

/// Argon2id costs low enough for hundreds of hashes per test run (the production
/// default is OWASP's).
pub const CHEAP_HASHING: HashingParams = HashingParams {
    memory_kib: 256,
    iterations: 1,
    parallelism: 1,
};

/// A manual clock at 2026-01-01T00:00:00Z, plus the same clock as a shared handle.
pub fn manual_clock() -> (Arc<ManualClock>, SharedClock) {
    let clock = Arc::new(ManualClock::at_epoch());
    let shared: SharedClock = clock.clone();
    (clock, shared)
}

/// A service test's infrastructure on a fresh [`manual_clock`] with ids seeded by
/// [`SEED`]: embedded, or with the SQL store and the bus on real servers under
/// `MEDIAFLOW_TEST_INFRA=docker` (see [`super::servers`]).
pub fn infra() -> (Arc<ManualClock>, Infra) {
    let (clock, shared) = manual_clock();
    (clock, super::servers::service_infra_on(shared, SEED))
}

/// JWT settings around the test key, with the platform's issuer, audience and TTLs;
/// every service a test starts is given these, so one token works everywhere.
pub fn jwt_settings() -> JwtSettings {
    JwtSettings::with_key(SigningKey::new(KEY_ID, TEST_SECRET.to_vec()).expect("valid test key"))
}

/// Claims for `sub` with `roles` as the services expect them: the test settings'
/// issuer and audience, valid for 15 minutes from `clock`'s now.
pub fn claims(clock: &dyn Clock, sub: &str, roles: &[Role], typ: TokenType) -> Claims {
    let now = clock.now().timestamp();
    let jwt = jwt_settings();
    Claims {
        sub: sub.to_owned(),
        iss: jwt.issuer,
        aud: jwt.audience,
        exp: now + 900,
        nbf: now,
        iat: now,
        jti: format!("jti-{sub}-{now}"),
        typ,
        roles: roles.to_vec(),
        fam: None,
    }
}

/// Signs `claims` with the test key.
pub fn sign(claims: &Claims) -> String {
    JwtIssuer::new(jwt_settings().keys).sign(claims)
}

/// A viewer's access token for `sub`, valid for 15 minutes from `clock`'s now.
pub fn access_token(clock: &dyn Clock, sub: &str) -> String {
    sign(&claims(clock, sub, &[Role::Viewer], TokenType::Access))
}

/// A listener on a free port of the loopback interface, for a service under test.
pub async fn ephemeral_listener() -> TcpListener {
    TcpListener::bind("127.0.0.1:0")
        .await
        .expect("an ephemeral port is free")
}

/// A key set, issuer and access-token verifier on a manual clock, for tests of
/// the JWT primitives themselves.
#[derive(Debug)]
pub struct JwtFixture {
    /// The clock the verifier reads.
    pub clock: Arc<ManualClock>,
    /// The same clock, shared.
    pub shared: SharedClock,
    /// The test key set ([`KEY_ID`] active).
    pub keys: KeySet,
    /// Signs with the test key.
    pub issuer: JwtIssuer,
    /// Verifies access tokens for issuer `https://auth.mediaflow.test`, audience `mediaflow`, leeway 30 s.
    pub verifier: JwtVerifier,
}

impl JwtFixture {
    /// Claims for `user-1` (viewer), valid from now for `ttl_secs`.
    pub fn claims(&self, typ: TokenType, ttl_secs: i64) -> Claims {
        let now = self.clock.now().timestamp();
        Claims {
            sub: "user-1".into(),
            iss: "https://auth.mediaflow.test".into(),
            aud: "mediaflow".into(),
            exp: now + ttl_secs,
            nbf: now,
            iat: now,
            jti: "jti-1".into(),
            typ,
            roles: vec![Role::Viewer],
            fam: None,
        }
    }
}

/// The standard JWT fixture: the test key on a fresh manual clock.
pub fn jwt_fixture() -> JwtFixture {
    let (clock, shared) = manual_clock();
    let keys = jwt_settings().keys;
    let config = VerifierConfig {
        issuer: "https://auth.mediaflow.test".into(),
        audience: "mediaflow".into(),
        leeway: Duration::from_secs(30),
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
