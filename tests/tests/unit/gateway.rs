//! Gateway domain rules, part one: the public-route list, token-bucket
//! arithmetic and the limiter under concurrency, and settings parsing.

use std::time::Duration;

use axum::http::Method;
use chrono::TimeDelta;
use mediaflow_gateway::Settings;
use mediaflow_gateway::domain::public_routes::{Access, access};
use mediaflow_gateway::domain::rate_limit::{Admission, RateLimit, TokenBucket};
use mediaflow_shared::clock::{Clock, ManualClock};
use mediaflow_shared::config::{ConfigError, Env};

#[test]
fn public_routes_are_exactly_the_documented_list() {
    let cases = [
        (Method::POST, "/api/auth/register", Access::Public),
        (Method::POST, "/api/auth/login", Access::Public),
        (Method::POST, "/api/auth/refresh", Access::Public),
        (Method::GET, "/api/catalog/videos", Access::Public),
        (Method::GET, "/api/catalog/videos/vid-42", Access::Public),
        (Method::GET, "/api/catalog/search", Access::Public),
        (Method::GET, "/api/billing/plans", Access::Public),
        (Method::GET, "/health", Access::Public),
        (Method::GET, "/ready", Access::Public),
        (Method::GET, "/api/auth/register", Access::Protected),
        (Method::POST, "/api/auth/logout", Access::Protected),
        (Method::POST, "/api/catalog/videos", Access::Protected),
        (
            Method::DELETE,
            "/api/catalog/videos/vid-42",
            Access::Protected,
        ),
        (
            Method::GET,
            "/api/catalog/videos/vid-42/publish",
            Access::Protected,
        ),
        (Method::GET, "/api/billing/subscriptions", Access::Protected),
        (Method::GET, "/api/home", Access::Protected),
        (Method::GET, "/api/users/u-1/history", Access::Protected),
    ];
    for (method, path, expected) in cases {
        assert_eq!(
            access(&method, path, false),
            expected,
            "{method} {path} must be {expected:?}"
        );
    }
}

#[test]
fn a_path_parameter_matches_exactly_one_non_empty_segment() {
    assert_eq!(
        access(&Method::GET, "/api/catalog/videos/", false),
        Access::Protected,
        "an empty id must not satisfy the {{id}} segment"
    );
    assert_eq!(
        access(&Method::GET, "/api/catalog/videos/a/b", false),
        Access::Protected,
        "{{id}} must not swallow several segments"
    );
    assert_eq!(
        access(&Method::GET, "/api/catalog/videosX", false),
        Access::Protected,
        "a literal segment must match whole, not as a prefix"
    );
}

#[test]
fn only_a_real_preflight_is_public_among_options_requests() {
    assert_eq!(
        access(&Method::OPTIONS, "/api/billing/subscriptions", true),
        Access::Public
    );
    assert_eq!(
        access(&Method::OPTIONS, "/api/billing/subscriptions", false),
        Access::Protected,
        "an OPTIONS without Access-Control-Request-Method is not a preflight"
    );
    assert_eq!(
        access(&Method::DELETE, "/api/billing/subscriptions", true),
        Access::Protected,
        "only OPTIONS can be a preflight"
    );
}

fn limit(capacity: u32, tokens: u32, period_secs: u64) -> RateLimit {
    RateLimit::new(capacity, tokens, Duration::from_secs(period_secs)).expect("valid limit")
}

#[test]
fn a_bucket_admits_its_burst_then_limits_until_a_token_refills() {
    let clock = ManualClock::at_epoch();
    let rate = limit(3, 1, 2);
    let mut bucket = TokenBucket::full(&rate, clock.now());
    let remaining: Vec<Admission> = (0..3)
        .map(|_| bucket.try_take(&rate, clock.now()))
        .collect();
    assert_eq!(
        remaining,
        vec![
            Admission::Admitted { remaining: 2 },
            Admission::Admitted { remaining: 1 },
            Admission::Admitted { remaining: 0 }
        ],
        "a full bucket of 3 admits exactly 3 requests at once"
    );
    let refused = bucket.try_take(&rate, clock.now());
    assert_eq!(
        refused,
        Admission::Limited {
            retry_after: Duration::from_secs(2)
        },
        "one token per 2 s: next in 2 s"
    );
    assert_eq!(refused.retry_after_secs(), Some(2));
    clock.advance(Duration::from_millis(1_999));
    assert!(
        matches!(
            bucket.try_take(&rate, clock.now()),
            Admission::Limited { .. }
        ),
        "1.999 s regains less than one token"
    );
    clock.advance(Duration::from_millis(1));
    assert_eq!(
        bucket.try_take(&rate, clock.now()),
        Admission::Admitted { remaining: 0 },
        "2 s after the burst one token is back"
    );
}

#[test]
fn refills_never_exceed_the_capacity() {
    let clock = ManualClock::at_epoch();
    let rate = limit(2, 10, 1);
    let mut bucket = TokenBucket::full(&rate, clock.now());
    bucket.try_take(&rate, clock.now());
    clock.advance(Duration::from_secs(3600));
    assert_eq!(
        bucket.try_take(&rate, clock.now()),
        Admission::Admitted { remaining: 1 },
        "an hour idle refills to the capacity of 2, not to 36 000 tokens"
    );
    assert!(
        bucket.is_full(&rate, clock.now() + TimeDelta::seconds(1)),
        "a bucket one refill away from capacity is full after it"
    );
}

#[test]
fn many_small_refills_add_up_exactly_to_whole_tokens() {
    let clock = ManualClock::at_epoch();
    let rate = limit(1, 1, 3);
    let mut bucket = TokenBucket::full(&rate, clock.now());
    assert!(matches!(
        bucket.try_take(&rate, clock.now()),
        Admission::Admitted { .. }
    ));
    for _ in 0..2_999 {
        clock.advance(Duration::from_millis(1));
        assert!(
            matches!(
                bucket.try_take(&rate, clock.now()),
                Admission::Limited { .. }
            ),
            "within the first 3 s no token may be admitted, even probing every millisecond"
        );
    }
    clock.advance(Duration::from_millis(1));
    assert!(
        matches!(
            bucket.try_take(&rate, clock.now()),
            Admission::Admitted { .. }
        ),
        "millisecond refills of a third of a token per second must sum to one token after exactly 3 s"
    );
}

#[test]
fn a_clock_stepping_backwards_mints_no_tokens() {
    let clock = ManualClock::at_epoch();
    let rate = limit(1, 1, 10);
    let mut bucket = TokenBucket::full(&rate, clock.now());
    assert!(matches!(
        bucket.try_take(&rate, clock.now()),
        Admission::Admitted { .. }
    ));
    let start = clock.now();
    clock.set(start - TimeDelta::seconds(60));
    assert!(
        matches!(
            bucket.try_take(&rate, clock.now()),
            Admission::Limited { .. }
        ),
        "going back in time must not refill"
    );
    clock.set(start + TimeDelta::seconds(5));
    assert!(
        matches!(
            bucket.try_take(&rate, clock.now()),
            Admission::Limited { .. }
        ),
        "5 s after the real last take only half a token is back"
    );
}

#[test]
fn retry_after_rounds_up_to_whole_seconds_and_is_at_least_one() {
    let sub_second = Admission::Limited {
        retry_after: Duration::from_millis(10),
    };
    assert_eq!(
        sub_second.retry_after_secs(),
        Some(1),
        "a 10 ms wait must be announced as 1 s, never 0"
    );
    let fractional = Admission::Limited {
        retry_after: Duration::from_millis(2_001),
    };
    assert_eq!(
        fractional.retry_after_secs(),
        Some(3),
        "2.001 s rounds up to 3 so a client honouring it is admitted"
    );
    assert_eq!(
        Admission::Admitted { remaining: 4 }.retry_after_secs(),
        None
    );
}

#[test]
fn rate_limits_parse_tokens_per_period_and_reject_zeros() {
    assert_eq!(RateLimit::parse("100/1m", 20), Ok(limit(20, 100, 60)));
    assert_eq!(RateLimit::parse(" 5 / 1s ", 5), Ok(limit(5, 5, 1)));
    for bad in ["100", "100/", "/1m", "ten/1m", "100/60", "0/1m"] {
        assert!(
            RateLimit::parse(bad, 10).is_err(),
            "`{bad}` must be refused"
        );
    }
    assert!(
        RateLimit::parse("100/1m", 0).is_err(),
        "a zero burst would refuse every request"
    );
}

fn env(pairs: &[(&str, &str)]) -> Env {
    let mut all = vec![("MEDIAFLOW_JWT_KEYS", "k1:0123456789abcdef0123456789abcdef")];
    all.extend_from_slice(pairs);
    Env::from_pairs(all.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
}

#[test]
fn settings_default_to_the_documented_production_values() {
    let settings = Settings::from_env(&env(&[])).expect("defaults are valid");
    assert_eq!(
        settings.readiness.required,
        vec!["auth", "catalog", "billing"]
    );
    assert!(
        settings.trusted_proxies.networks().is_empty(),
        "no proxy is trusted unless configured"
    );
    assert!(
        settings.cors.allowed_origins.is_empty(),
        "no cross-origin access unless configured"
    );
    assert_eq!(settings.rate_limits.per_user, limit(100, 100, 60));
    assert_eq!(settings.upstream.retry.max_attempts, 3);
}

#[test]
fn settings_read_every_gateway_variable() {
    let settings = Settings::from_env(&env(&[
        ("MEDIAFLOW_GATEWAY_REQUIRED_SERVICES", "auth, users"),
        ("MEDIAFLOW_GATEWAY_READINESS_TIMEOUT", "2s"),
        ("MEDIAFLOW_GATEWAY_UPSTREAM_TIMEOUT", "750ms"),
        ("MEDIAFLOW_GATEWAY_UPSTREAM_ATTEMPTS", "2"),
        ("MEDIAFLOW_GATEWAY_BREAKER_THRESHOLD", "7"),
        ("MEDIAFLOW_GATEWAY_HOME_HISTORY_TIMEOUT", "120ms"),
        ("MEDIAFLOW_GATEWAY_USER_RATE", "10/1s"),
        ("MEDIAFLOW_GATEWAY_USER_BURST", "30"),
        ("MEDIAFLOW_GATEWAY_IP_RATE", "50/1m"),
        ("MEDIAFLOW_GATEWAY_TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1"),
        (
            "MEDIAFLOW_GATEWAY_CORS_ORIGINS",
            "https://app.mediaflow.test, http://localhost:5173",
        ),
        ("MEDIAFLOW_GATEWAY_MAX_BODY_BYTES", "1048576"),
    ]))
    .expect("valid settings");
    assert_eq!(settings.readiness.required, vec!["auth", "users"]);
    assert_eq!(settings.readiness.timeout, Duration::from_secs(2));
    assert_eq!(settings.upstream.timeout, Duration::from_millis(750));
    assert_eq!(settings.upstream.retry.max_attempts, 2);
    assert_eq!(settings.upstream.breaker.failure_threshold, 7);
    assert_eq!(settings.home.history, Duration::from_millis(120));
    assert_eq!(settings.rate_limits.per_user, limit(30, 10, 1));
    assert_eq!(
        settings.rate_limits.per_ip,
        limit(50, 50, 60),
        "without a burst the burst equals the rate's tokens"
    );
    assert_eq!(settings.trusted_proxies.networks().len(), 2);
    assert_eq!(settings.cors.allowed_origins.len(), 2);
    assert_eq!(settings.max_body_bytes, 1_048_576);
}

#[test]
fn invalid_gateway_settings_name_the_variable() {
    let cases = [
        ("MEDIAFLOW_GATEWAY_REQUIRED_SERVICES", "auth,catalgo"),
        (
            "MEDIAFLOW_GATEWAY_TRUSTED_PROXIES",
            "10.0.0.0/8,proxy.internal",
        ),
        ("MEDIAFLOW_GATEWAY_CORS_ORIGINS", "*"),
        ("MEDIAFLOW_GATEWAY_USER_RATE", "fast"),
        ("MEDIAFLOW_GATEWAY_UPSTREAM_ATTEMPTS", "0"),
        ("MEDIAFLOW_GATEWAY_UPSTREAM_TIMEOUT", "500"),
    ];
    for (var, value) in cases {
        match Settings::from_env(&env(&[(var, value)])) {
            Err(ConfigError::Invalid { var: named, .. }) => {
                assert_eq!(named, var, "the error must name {var}");
            }
            other => panic!("{var}={value} must be refused as invalid, got {other:?}"),
        }
    }
}

#[test]
fn concurrent_checks_never_admit_more_than_the_burst() {
    let (_clock, shared) = mediaflow_tests::support::manual_clock();
    let limit = RateLimit::new(100, 1, Duration::from_secs(3600)).expect("limit");
    let limiter = std::sync::Arc::new(mediaflow_gateway::limiter::RateLimiter::new(
        limit, shared, 10,
    ));
    let admitted = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (limiter, admitted) = (limiter.clone(), admitted.clone());
            std::thread::spawn(move || {
                for _ in 0..500 {
                    if matches!(limiter.check("user-1"), Admission::Admitted { .. }) {
                        admitted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("thread finished");
    }
    assert_eq!(
        admitted.load(std::sync::atomic::Ordering::SeqCst),
        100,
        "4000 concurrent requests against a burst of 100 with a frozen clock admit exactly 100"
    );
}
