//! Attacks on the auth service: token confusion and forgery, refresh-token theft
//! and races, user enumeration, concurrent password guessing, privilege
//! escalation, injection through credentials, and secrets at rest.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mediaflow_auth::domain::{Email, Password};
use mediaflow_auth::{AuthError, AuthService};
use mediaflow_shared::auth::{Claims, JwtIssuer, KeySet, Role, SigningKey, TokenType};
use mediaflow_tests::support::auth::{
    AuthHarness, PASSWORD, core, jwt_claims, registration, settings,
};
use mediaflow_tests::support::databases::wrap_store;
use mediaflow_tests::support::fixtures::infra;
use mediaflow_tests::support::gated::GatedStore;
use serde_json::json;

async fn harness_with_admin() -> AuthHarness {
    let mut settings = settings();
    settings.bootstrap_admins = vec![Email::parse("root@example.com").expect("valid")];
    AuthHarness::start_with(settings).await
}

#[tokio::test]
async fn a_refresh_token_is_refused_as_a_bearer_token_and_an_access_token_at_refresh() {
    let auth = AuthHarness::start().await;
    auth.register("ann@example.com").await;
    let (access, refresh) = auth.login("ann@example.com").await;
    assert_eq!(
        auth.me(&refresh).await.status,
        401,
        "a refresh token must never authorise a request"
    );
    let swapped = auth.refresh(&access).await;
    assert_eq!(
        (swapped.status, swapped.error_code()),
        (401, "invalid_token"),
        "an access token must never renew a session"
    );
    auth.stop().await;
}

#[tokio::test]
async fn forged_tampered_and_unsigned_tokens_are_refused() {
    let auth = AuthHarness::start().await;
    auth.register("ann@example.com").await;
    let (access, _) = auth.login("ann@example.com").await;
    let claims: Claims = serde_json::from_value(jwt_claims(&access)).expect("claims decode");

    let foreign = KeySet::single(
        SigningKey::new("k1", b"attacker-secret-0123456789abcdef0123".to_vec()).expect("valid"),
    );
    let forged = JwtIssuer::new(foreign).sign(&Claims {
        roles: vec![Role::Admin],
        ..claims.clone()
    });
    assert_eq!(
        auth.me(&forged).await.status,
        401,
        "a token signed with another secret under our kid is forged"
    );

    let mut parts: Vec<String> = access.split('.').map(str::to_owned).collect();
    let elevated = Claims {
        roles: vec![Role::Admin],
        ..claims
    };
    parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&elevated).expect("claims encode"));
    assert_eq!(
        auth.me(&parts.join(".")).await.status,
        401,
        "roles edited after signing must break the signature"
    );

    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
    let unsigned = format!("{none_header}.{}.", parts[1]);
    assert_eq!(
        auth.me(&unsigned).await.status,
        401,
        "alg=none must be refused"
    );
    auth.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_refreshes_with_one_token_let_exactly_one_through() {
    let auth = Arc::new(AuthHarness::start().await);
    auth.register("ann@example.com").await;
    let (_, refresh) = auth.login("ann@example.com").await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (auth, refresh) = (Arc::clone(&auth), refresh.clone());
        tasks.push(tokio::spawn(
            async move { auth.refresh(&refresh).await.status },
        ));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.expect("refresh task finishes"));
    }
    let winners = statuses.iter().filter(|status| **status == 200).count();
    assert_eq!(
        winners, 1,
        "one refresh token must be redeemable exactly once, statuses {statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 401),
        "the losers are refused, statuses {statuses:?}"
    );
    Arc::into_inner(auth)
        .expect("tasks released the harness")
        .stop()
        .await;
}

#[tokio::test]
async fn two_refreshes_that_both_read_the_token_before_either_rotates_let_exactly_one_through() {
    let (_clock, infra) = infra();
    let (infra, gated) = wrap_store(&infra, mediaflow_auth::SERVICE, GatedStore::new);
    let service = core(&infra, &settings()).await;
    service
        .register(registration("ann@example.com"), "req-1")
        .await
        .expect("registers");
    let pair = service
        .login("ann@example.com", Password::new(PASSWORD))
        .await
        .expect("logs in");
    gated.hold_transactions();
    let (first, second, ()) = tokio::join!(
        service.refresh(&pair.refresh_token),
        service.refresh(&pair.refresh_token),
        async {
            gated.wait_until_held(2).await;
            gated.release();
        },
    );
    let outcomes = [&first, &second].map(|outcome| match outcome {
        Ok(_) => "rotated",
        Err(AuthError::RefreshReuse) => "reuse",
        Err(_) => "other",
    });
    let mut sorted = outcomes;
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        ["reuse", "rotated"],
        "both refreshes saw the token unused before either rotated it; only one may redeem it, \
         the other is reuse: {first:?} / {second:?}"
    );
}

#[tokio::test]
async fn a_stolen_refresh_token_replayed_after_rotation_ends_the_session_for_thief_and_owner() {
    let auth = AuthHarness::start().await;
    auth.register("ann@example.com").await;
    let (_, stolen) = auth.login("ann@example.com").await;
    let owner = auth.refresh(&stolen).await;
    let thief = auth.refresh(&stolen).await;
    assert_eq!(
        thief.error_code(),
        "token_reused",
        "the replayed token must be detected as reuse"
    );
    let owner_next = auth.refresh(&owner.text("refresh_token")).await;
    assert_eq!(
        owner_next.status, 401,
        "the family is revoked, so whatever the thief may hold dies too"
    );
    assert_eq!(
        auth.me(&owner.text("access_token")).await.status,
        401,
        "the revoked session's access token is refused"
    );
    auth.stop().await;
}

#[tokio::test]
async fn unknown_email_and_wrong_password_are_indistinguishable_and_cost_the_same() {
    let (_clock, infra) = infra();
    let service = core(&infra, &settings()).await;
    service
        .register(registration("ann@example.com"), "req-1")
        .await
        .expect("registers");
    let before = service.hashing_stats().verifications;
    let unknown = service
        .login("nobody@example.com", Password::new(PASSWORD))
        .await;
    let after_unknown = service.hashing_stats().verifications;
    let wrong = service
        .login("ann@example.com", Password::new("wrong password guess"))
        .await;
    let after_wrong = service.hashing_stats().verifications;
    let (unknown, wrong) = (
        unknown.expect_err("unknown email fails"),
        wrong.expect_err("wrong password fails"),
    );
    assert_eq!(
        unknown.to_api_error(),
        wrong.to_api_error(),
        "both failures must answer identically"
    );
    assert_eq!(
        (after_unknown - before, after_wrong - after_unknown),
        (1, 1),
        "an unknown email must cost one password verification, exactly like a wrong password"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_guesses_cannot_exceed_the_lockout_limit() {
    let (_clock, infra) = infra();
    let service: Arc<AuthService> = core(&infra, &settings()).await;
    service
        .register(registration("ann@example.com"), "req-1")
        .await
        .expect("registers");
    let before = service.hashing_stats().verifications;
    let mut tasks = Vec::new();
    for guess in 0..24 {
        let service = Arc::clone(&service);
        tasks.push(tokio::spawn(async move {
            service
                .login(
                    "ann@example.com",
                    Password::new(format!("wrong guess number {guess}")),
                )
                .await
        }));
    }
    let (mut refused, mut checked) = (0, 0);
    for task in tasks {
        match task.await.expect("login task finishes") {
            Err(AuthError::Locked { .. }) => refused += 1,
            Err(AuthError::InvalidCredentials) => checked += 1,
            other => panic!("a wrong guess must fail as bad credentials or lockout, got {other:?}"),
        }
    }
    assert_eq!(
        (checked, refused),
        (5, 19),
        "of 24 simultaneous guesses only 5 may be checked"
    );
    assert_eq!(
        service.hashing_stats().verifications - before,
        5,
        "only 5 passwords may have been verified"
    );
}

#[tokio::test]
async fn only_current_admins_may_change_roles() {
    let auth = harness_with_admin().await;
    let root_id = auth.register("root@example.com").await;
    let ann_id = auth.register("ann@example.com").await;
    let (viewer, _) = auth.login("ann@example.com").await;
    let escalate = auth.set_roles(&viewer, &ann_id, &["admin"]).await;
    assert_eq!(
        (escalate.status, escalate.error_code()),
        (403, "forbidden"),
        "a viewer must not promote themselves"
    );

    let (root, _) = auth.login("root@example.com").await;
    assert_eq!(
        auth.set_roles(&root, &ann_id, &["admin"]).await.status,
        200,
        "the bootstrap admin promotes ann"
    );
    let (ann_admin, _) = auth.login("ann@example.com").await;
    assert_eq!(
        auth.set_roles(&ann_admin, &root_id, &["viewer"])
            .await
            .status,
        200,
        "ann demotes root"
    );
    let stale = auth.set_roles(&root, &ann_id, &["viewer"]).await;
    assert_eq!(
        stale.status, 403,
        "root's token still says admin, but the database no longer does"
    );
    let own = auth.set_roles(&ann_admin, &ann_id, &["viewer"]).await;
    assert_eq!(
        own.status, 409,
        "an admin must not remove their own admin role"
    );
    auth.stop().await;
}

#[tokio::test]
async fn injection_through_credentials_is_just_a_failed_login() {
    let auth = AuthHarness::start().await;
    auth.register("ann@example.com").await;
    for (email, password) in [
        ("ann@example.com' OR '1'='1", "x' OR '1'='1"),
        ("ann@example.com'--", PASSWORD),
        ("\" OR 1=1; DROP TABLE users; --", PASSWORD),
    ] {
        let reply = auth.login_raw(email, password).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (401, "invalid_credentials"),
            "{email:?} must fail as bad credentials"
        );
    }
    assert_eq!(
        auth.login_raw("ann@example.com", PASSWORD).await.status,
        200,
        "the accounts table is intact"
    );
    auth.stop().await;
}

#[tokio::test]
async fn passwords_and_refresh_tokens_are_stored_only_as_hashes() {
    let auth = AuthHarness::start().await;
    auth.register("ann@example.com").await;
    let (_, refresh) = auth.login("ann@example.com").await;
    let db = auth.infra.database("auth");
    let users = db
        .query("SELECT password_hash FROM users", &[])
        .await
        .expect("readable");
    let hash: String = users[0].get("password_hash").expect("column");
    assert!(
        hash.starts_with("$argon2id$") && !hash.contains(PASSWORD),
        "passwords are stored as Argon2id hashes"
    );
    let tokens = db
        .query("SELECT jti, token_hash FROM refresh_tokens", &[])
        .await
        .expect("readable");
    let stored: String = tokens[0].get("token_hash").expect("column");
    assert_eq!(
        stored.len(),
        64,
        "refresh tokens are stored as SHA-256 fingerprints"
    );
    assert!(
        !refresh.contains(&stored) && !stored.contains(&refresh),
        "the token itself must not be stored"
    );
    auth.stop().await;
}

#[tokio::test]
async fn a_token_for_another_audience_or_issuer_is_refused() {
    let auth = AuthHarness::start().await;
    auth.register("ann@example.com").await;
    let (access, _) = auth.login("ann@example.com").await;
    let claims: Claims = serde_json::from_value(jwt_claims(&access)).expect("claims decode");
    let issuer = JwtIssuer::new(settings().jwt.keys);
    let other_audience = issuer.sign(&Claims {
        aud: "billing-internal".into(),
        ..claims.clone()
    });
    let other_issuer = issuer.sign(&Claims {
        iss: "https://evil.example".into(),
        ..claims.clone()
    });
    let as_refresh = issuer.sign(&Claims {
        typ: TokenType::Refresh,
        ..claims
    });
    assert_eq!(
        auth.me(&other_audience).await.status,
        401,
        "a token minted for another audience must be refused"
    );
    assert_eq!(
        auth.me(&other_issuer).await.status,
        401,
        "a token from another issuer must be refused"
    );
    assert_eq!(
        auth.me(&as_refresh).await.status,
        401,
        "typ=refresh must not pass as access"
    );
    let body = json!({ "refresh_token": "eyJhbGciOiJIUzI1NiJ9.e30.x" });
    assert_eq!(
        auth.post("/refresh", &body).await.error_code(),
        "invalid_token",
        "garbage refresh tokens are refused"
    );
    auth.stop().await;
}
