//! The auth service's configuration and plumbing: Argon2id hashing and its costs,
//! settings parsed from `MEDIAFLOW_*` variables, and the HTTP status of each error.

use std::time::Duration;

use mediaflow_auth::domain::{Email, LockoutPolicy, Password};
use mediaflow_auth::{AuthError, HashingError, HashingParams, PasswordHasher, Settings};
use mediaflow_shared::config::Env;
use mediaflow_shared::store::StoreError;
use mediaflow_tests::support::fixtures::CHEAP_HASHING;

fn email(text: &str) -> Email {
    Email::parse(text).expect("a valid test address")
}

#[test]
fn a_hash_verifies_its_password_only_and_salts_differ() {
    let hasher = PasswordHasher::new(CHEAP_HASHING, 1).expect("cheap costs are valid");
    let password = Password::new("correct horse battery staple");
    let first = hasher.hash(&password).expect("hashes");
    let second = hasher.hash(&password).expect("hashes");
    assert!(
        first.starts_with("$argon2id$v=19$m=256,t=1,p=1$"),
        "hashes are Argon2id PHC strings with their costs, got {first}"
    );
    assert_ne!(first, second, "each hash gets its own salt");
    assert_eq!(
        hasher.verify(&password, &first),
        Ok(true),
        "the right password verifies"
    );
    assert_eq!(
        hasher.verify(&Password::new("wrong horse battery staple"), &first),
        Ok(false),
        "a wrong password does not"
    );
}

#[test]
fn hashes_made_with_other_costs_are_flagged_for_upgrade() {
    let old = PasswordHasher::new(CHEAP_HASHING, 1).expect("valid");
    let current = PasswordHasher::new(
        HashingParams {
            memory_kib: 512,
            ..CHEAP_HASHING
        },
        2,
    )
    .expect("valid");
    let password = Password::new("correct horse battery staple");
    let stored = old.hash(&password).expect("hashes");
    assert_eq!(
        current.verify(&password, &stored),
        Ok(true),
        "hashes from older settings still verify"
    );
    assert!(
        current.needs_rehash(&stored),
        "a hash with m=256 must be upgraded when settings say m=512"
    );
    assert!(
        !old.needs_rehash(&stored),
        "a hash with the current costs needs no upgrade"
    );
}

#[test]
fn unknown_accounts_cost_one_verification_and_never_match() {
    let hasher = PasswordHasher::new(CHEAP_HASHING, 1).expect("valid");
    let before = hasher.stats().verifications;
    assert_eq!(
        hasher.verify_unknown(&Password::new(PASSWORD_GUESS)),
        Ok(false),
        "the dummy hash never grants access"
    );
    assert_eq!(
        hasher.stats().verifications,
        before + 1,
        "an unknown account must cost one full verification"
    );
}

const PASSWORD_GUESS: &str = "mediaflow-auth-dummy-password-for-unknown-accounts";

#[test]
fn unreadable_stored_hash_is_reported_as_corrupt_and_owasp_costs_are_the_default() {
    let hasher = PasswordHasher::new(CHEAP_HASHING, 1).expect("valid");
    assert!(
        matches!(
            hasher.verify(&Password::new("x"), "not-a-phc-string"),
            Err(HashingError::Corrupt(_))
        ),
        "garbage is corruption, not a mismatch"
    );
    assert_eq!(
        HashingParams::default(),
        HashingParams {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1
        },
        "production uses OWASP m=19 MiB, t=2, p=1"
    );
    let too_little = HashingParams {
        memory_kib: 4,
        iterations: 1,
        parallelism: 1,
    };
    assert!(
        matches!(
            PasswordHasher::new(too_little, 1),
            Err(HashingError::Params(_))
        ),
        "4 KiB is below Argon2's minimum"
    );
}

fn env(extra: &[(&str, &str)]) -> Env {
    let mut pairs = vec![("MEDIAFLOW_JWT_KEYS", "k1:0123456789abcdef0123456789abcdef")];
    pairs.extend_from_slice(extra);
    Env::from_pairs(pairs)
}

#[test]
fn settings_from_env_default_to_production_values_and_accept_overrides() {
    let defaults = Settings::from_env(&env(&[])).expect("only the keys are required");
    assert_eq!(
        defaults.hashing,
        HashingParams::OWASP,
        "hashing defaults to OWASP costs"
    );
    assert_eq!(
        defaults.lockout,
        LockoutPolicy::default(),
        "lockout defaults to 5 per 15 minutes"
    );
    let tuned = Settings::from_env(&env(&[
        ("MEDIAFLOW_AUTH_ARGON2_MEMORY_KIB", "65536"),
        ("MEDIAFLOW_AUTH_LOCKOUT_THRESHOLD", "3"),
        ("MEDIAFLOW_AUTH_LOCKOUT_WINDOW", "10m"),
        (
            "MEDIAFLOW_AUTH_BOOTSTRAP_ADMINS",
            "Root@Example.com, ops@example.com",
        ),
    ]))
    .expect("valid overrides");
    assert_eq!(
        tuned.hashing.memory_kib, 65_536,
        "memory cost is read in KiB"
    );
    assert_eq!(
        (tuned.lockout.max_failures, tuned.lockout.window),
        (3, Duration::from_secs(600)),
        "lockout limits are read"
    );
    assert_eq!(
        tuned.bootstrap_admins,
        vec![email("root@example.com"), email("ops@example.com")],
        "bootstrap admins are normalised emails"
    );
}

#[test]
fn settings_from_env_refuse_values_that_would_misbehave() {
    let cases = [
        (
            "MEDIAFLOW_AUTH_LOCKOUT_THRESHOLD",
            "0",
            "a threshold of zero would lock every account",
        ),
        (
            "MEDIAFLOW_AUTH_LOCKOUT_WINDOW",
            "900",
            "a bare number has no unit",
        ),
        (
            "MEDIAFLOW_HEARTBEAT_INTERVAL",
            "30s",
            "a heartbeat slower than the 15 s TTL lets the registration lapse",
        ),
        (
            "MEDIAFLOW_AUTH_BOOTSTRAP_ADMINS",
            "not-an-email",
            "a bootstrap admin must be an email",
        ),
        (
            "MEDIAFLOW_AUTH_ARGON2_ITERATIONS",
            "two",
            "iterations are a number",
        ),
    ];
    for (var, value, why) in cases {
        let error = Settings::from_env(&env(&[(var, value)])).expect_err(why);
        assert!(
            error.to_string().contains(var),
            "the error must name {var}: {error}"
        );
    }
    assert!(
        Settings::from_env(&Env::default()).is_err(),
        "without MEDIAFLOW_JWT_KEYS the service must not start"
    );
}

#[test]
fn errors_map_to_statuses_without_leaking_internals() {
    let locked = AuthError::Locked {
        retry_after_secs: 42,
    }
    .to_api_error();
    assert_eq!(
        (locked.status.as_u16(), locked.retry_after),
        (429, Some(42)),
        "a lockout is 429 with Retry-After"
    );
    assert_eq!(
        AuthError::InvalidCredentials.to_api_error().status.as_u16(),
        401,
        "bad credentials are 401"
    );
    assert_eq!(
        AuthError::EmailTaken.to_api_error().status.as_u16(),
        409,
        "a taken email is a conflict"
    );
    let down = AuthError::Store(StoreError::Unavailable(
        "db host 10.0.0.7:5432 refused".into(),
    ))
    .to_api_error();
    assert_eq!(
        down.status.as_u16(),
        503,
        "an unreachable database is a retryable 503"
    );
    let broken = AuthError::Store(StoreError::Sql("no such table: users".into())).to_api_error();
    assert_eq!(broken.status.as_u16(), 500, "a broken statement is a 500");
    for api in [down, broken] {
        assert!(
            !api.message.contains("10.0.0.7") && !api.message.contains("users"),
            "internals must not reach the client: {}",
            api.message
        );
    }
}
