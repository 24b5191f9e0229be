//! The auth service's session arithmetic: lockout windows and locks, the claims
//! of access and refresh tokens, refresh-token fingerprints and constant-time
//! comparison.

use std::time::Duration;

use chrono::TimeDelta;
use mediaflow_auth::domain::{
    AttemptRecord, ClaimsTemplate, Locked, LockoutPolicy, RoleSet, constant_time_eq, fingerprint,
};
use mediaflow_shared::auth::{Role, TokenType};
use mediaflow_shared::clock::{Clock, ManualClock};
use mediaflow_tests::support::fixtures::jwt_settings;

#[test]
fn the_fifth_attempt_is_checked_and_locks_the_next_ones() {
    let clock = ManualClock::at_epoch();
    let policy = LockoutPolicy::default();
    let mut record = None;
    for attempt in 1..=5u32 {
        let next = policy
            .reserve(record, clock.now())
            .expect("attempts up to the fifth are checked");
        assert_eq!(
            next.failures, attempt,
            "attempt {attempt} is counted before its check"
        );
        record = Some(next);
        clock.advance(Duration::from_secs(10));
    }
    let locked = policy
        .reserve(record, clock.now())
        .expect_err("the sixth attempt must be refused");
    let fifth_at = clock.now() - TimeDelta::seconds(10);
    assert_eq!(
        locked.until,
        fifth_at + TimeDelta::minutes(15),
        "the lock lasts 15 minutes from the fifth attempt"
    );
}

#[test]
fn attempts_older_than_the_window_do_not_add_up() {
    let clock = ManualClock::at_epoch();
    let policy = LockoutPolicy::default();
    let old = AttemptRecord {
        failures: 4,
        window_started_at: clock.now(),
        locked_until: None,
    };
    clock.advance(Duration::from_secs(15 * 60));
    let next = policy
        .reserve(Some(old), clock.now())
        .expect("a new window is open");
    assert_eq!(
        next.failures, 1,
        "four failures from a window that closed must be forgotten"
    );
    assert_eq!(
        next.window_started_at,
        clock.now(),
        "the new window opens with this attempt"
    );
    assert_eq!(next.locked_until, None, "one attempt does not lock");
}

#[test]
fn a_served_lock_starts_a_fresh_window() {
    let clock = ManualClock::at_epoch();
    let policy = LockoutPolicy::default();
    let until = clock.now() + TimeDelta::minutes(15);
    let locked = AttemptRecord {
        failures: 5,
        window_started_at: clock.now(),
        locked_until: Some(until),
    };
    clock.advance(Duration::from_secs(14 * 60 + 59));
    assert!(
        policy.reserve(Some(locked), clock.now()).is_err(),
        "one second before the lock ends logins are still refused"
    );
    clock.advance(Duration::from_secs(1));
    let next = policy
        .reserve(Some(locked), clock.now())
        .expect("the lock has been served");
    assert_eq!(
        (next.failures, next.locked_until),
        (1, None),
        "after the lock the count starts again at one"
    );
}

#[test]
fn retry_after_rounds_up_to_whole_seconds_and_is_at_least_one() {
    let clock = ManualClock::at_epoch();
    let locked = Locked {
        until: clock.now() + TimeDelta::milliseconds(90_200),
    };
    assert_eq!(
        locked.retry_after_secs(clock.now()),
        91,
        "90.2 s left must be announced as 91 s, never 90"
    );
    assert_eq!(
        locked.retry_after_secs(locked.until),
        1,
        "a client is never told to retry after zero seconds"
    );
}

#[test]
fn access_claims_carry_roles_session_and_the_access_lifetime() {
    let clock = ManualClock::at_epoch();
    let template = ClaimsTemplate::from_settings(&jwt_settings());
    let roles = RoleSet::new([Role::Creator, Role::Viewer]).expect("non-empty");
    let claims = template.access("user-1", &roles, "fam-1", "jti-1".into(), clock.now());
    let now = clock.now().timestamp();
    assert_eq!(claims.typ, TokenType::Access, "an access token must say so");
    assert_eq!(
        claims.roles,
        vec![Role::Viewer, Role::Creator],
        "access tokens carry the user's roles"
    );
    assert_eq!(
        claims.fam.as_deref(),
        Some("fam-1"),
        "access tokens name their session so it can be revoked"
    );
    assert_eq!(
        (claims.iat, claims.nbf, claims.exp),
        (now, now, now + 900),
        "access tokens live 15 minutes from issue"
    );
}

#[test]
fn refresh_claims_carry_family_and_id_but_no_roles() {
    let clock = ManualClock::at_epoch();
    let template = ClaimsTemplate::from_settings(&jwt_settings());
    let claims = template.refresh("user-1", "fam-1", "jti-9".into(), clock.now());
    assert_eq!(
        claims.typ,
        TokenType::Refresh,
        "a refresh token must say so, or it could pass as an access token"
    );
    assert_eq!(
        (claims.fam.as_deref(), claims.jti.as_str()),
        (Some("fam-1"), "jti-9"),
        "rotation needs family and id"
    );
    assert!(
        claims.roles.is_empty(),
        "roles are read afresh at refresh, never copied from the refresh token"
    );
    assert_eq!(
        claims.exp - claims.iat,
        14 * 24 * 3600,
        "refresh tokens live 14 days"
    );
}

#[test]
fn fingerprint_is_the_sha256_hex_of_the_token() {
    assert_eq!(
        fingerprint("abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "the fingerprint must be plain SHA-256 so any operator tool can recompute it"
    );
    assert_ne!(
        fingerprint("token-a"),
        fingerprint("token-b"),
        "different tokens must not share a fingerprint"
    );
}

#[test]
fn constant_time_comparison_matches_only_identical_bytes() {
    assert!(
        constant_time_eq(b"same-bytes", b"same-bytes"),
        "identical inputs are equal"
    );
    assert!(
        !constant_time_eq(b"same-bytes", b"same-bytez"),
        "a difference in the last byte is found"
    );
    assert!(
        !constant_time_eq(b"short", b"shorter"),
        "inputs of different lengths are never equal"
    );
}
