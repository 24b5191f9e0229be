//! Logging in to the auth service over HTTP on the manual clock: lockout windows
//! and locks, token lifetimes, signing-key rotation and password-hash upgrades.

use std::time::Duration;

use mediaflow_auth::HashingParams;
use mediaflow_shared::auth::SigningKey;
use mediaflow_tests::support::auth::{AuthHarness, PASSWORD, jwt_header, settings};
use mediaflow_tests::support::fixtures::CHEAP_HASHING;

const MINUTE: Duration = Duration::from_secs(60);

#[tokio::test]
async fn five_failures_lock_the_account_even_for_the_right_password_until_the_lock_ends() {
    let auth = AuthHarness::start().await;
    auth.register("ann@example.com").await;
    for attempt in 1..=5 {
        let reply = auth
            .login_raw("ann@example.com", "wrong password guess")
            .await;
        assert_eq!(
            reply.status, 401,
            "failed attempt {attempt} is answered as bad credentials"
        );
    }
    let locked = auth.login_raw("ann@example.com", PASSWORD).await;
    assert_eq!(
        (locked.status, locked.error_code()),
        (429, "account_locked"),
        "the sixth attempt must be refused"
    );
    let retry_after = locked
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok());
    assert_eq!(
        retry_after,
        Some("900"),
        "the client is told the lock lasts 15 minutes"
    );
    auth.clock.advance(15 * MINUTE);
    assert_eq!(
        auth.login_raw("ann@example.com", PASSWORD).await.status,
        200,
        "after 15 minutes the right password works again"
    );
    auth.stop().await;
}

#[tokio::test]
async fn a_successful_login_forgives_earlier_failures() {
    let auth = AuthHarness::start().await;
    auth.register("ann@example.com").await;
    for _ in 0..4 {
        auth.login_raw("ann@example.com", "wrong password guess")
            .await;
    }
    auth.login("ann@example.com").await;
    for attempt in 1..=4 {
        let reply = auth
            .login_raw("ann@example.com", "wrong password guess")
            .await;
        assert_eq!(
            reply.status, 401,
            "failure {attempt} after a success must not lock: the count restarted"
        );
    }
    auth.stop().await;
}

#[tokio::test]
async fn failures_spread_beyond_the_window_never_lock() {
    let auth = AuthHarness::start().await;
    auth.register("ann@example.com").await;
    for _ in 0..4 {
        auth.login_raw("ann@example.com", "wrong password guess")
            .await;
    }
    auth.clock.advance(15 * MINUTE);
    for _ in 0..4 {
        auth.login_raw("ann@example.com", "wrong password guess")
            .await;
    }
    assert_eq!(
        auth.login_raw("ann@example.com", PASSWORD).await.status,
        200,
        "four failures in each of two windows are not five within fifteen minutes"
    );
    auth.stop().await;
}

#[tokio::test]
async fn tokens_expire_on_the_injected_clock() {
    let auth = AuthHarness::start().await;
    auth.register("ann@example.com").await;
    let (access, refresh) = auth.login("ann@example.com").await;
    auth.clock.advance(15 * MINUTE + Duration::from_secs(31));
    assert_eq!(
        auth.me(&access).await.status,
        401,
        "an access token 15 min 31 s old is past its lifetime and the 30 s leeway"
    );
    assert_eq!(
        auth.refresh(&refresh).await.status,
        200,
        "the refresh token is still valid and renews the session"
    );
    auth.clock.advance(Duration::from_secs(14 * 24 * 3600 + 31));
    let (_, refresh) = auth.login("ann@example.com").await;
    auth.clock.advance(Duration::from_secs(14 * 24 * 3600 + 31));
    assert_eq!(
        auth.refresh(&refresh).await.error_code(),
        "invalid_token",
        "a refresh token older than 14 days is refused"
    );
    auth.stop().await;
}

#[tokio::test]
async fn key_rotation_keeps_old_tokens_valid_until_the_old_key_is_retired() {
    let old = AuthHarness::start().await;
    old.register("ann@example.com").await;
    let (old_access, _) = old.login("ann@example.com").await;
    assert_eq!(
        jwt_header(&old_access)["kid"],
        "k1",
        "tokens name the key that signed them"
    );
    let (clock, infra) = (old.clock.clone(), old.infra.clone());
    old.stop().await;

    let mut rotated = settings();
    rotated.jwt.keys.rotate_to(
        SigningKey::new("k2", b"second-auth-test-secret-0123456789abcdef".to_vec()).expect("valid"),
    );
    let auth = AuthHarness::start_on(clock.clone(), infra.clone(), rotated.clone()).await;
    let (new_access, _) = auth.login("ann@example.com").await;
    assert_eq!(
        jwt_header(&new_access)["kid"],
        "k2",
        "new tokens are signed with the newly active key"
    );
    assert_eq!(
        auth.me(&old_access).await.status,
        200,
        "tokens of the previous key still verify during rotation"
    );
    auth.stop().await;

    rotated.jwt.keys.retire("k1");
    let retired = AuthHarness::start_on(clock, infra, rotated).await;
    assert_eq!(
        retired.me(&old_access).await.status,
        401,
        "once k1 is retired its tokens are refused"
    );
    assert_eq!(
        retired.me(&new_access).await.status,
        200,
        "tokens of the active key keep working"
    );
    retired.stop().await;
}

#[tokio::test]
async fn login_upgrades_a_hash_made_with_outdated_costs() {
    let first = AuthHarness::start().await;
    first.register("ann@example.com").await;
    let (clock, infra) = (first.clock.clone(), first.infra.clone());
    first.stop().await;

    let mut stronger = settings();
    stronger.hashing = HashingParams {
        memory_kib: 512,
        ..CHEAP_HASHING
    };
    let auth = AuthHarness::start_on(clock, infra, stronger).await;
    auth.login("ann@example.com").await;
    let rows = auth
        .infra
        .database("auth")
        .query("SELECT password_hash FROM users", &[])
        .await
        .expect("users are readable");
    let hash: String = rows[0].get("password_hash").expect("hash column");
    assert!(
        hash.contains("m=512,t=1,p=1"),
        "the login must re-hash with the current costs, stored {hash}"
    );
    auth.login("ann@example.com").await;
    auth.stop().await;
}
