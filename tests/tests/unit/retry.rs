//! Retry: exponential backoff with jitter, bounded attempts, idempotent operations only.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use mediaflow_shared::resilience::{Idempotency, Jitter, Retry, RetryError, RetryPolicy};
use mediaflow_tests::support::manual_clock;

fn policy(jitter: Jitter) -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(500),
        multiplier: 2,
        jitter,
    }
}

#[test]
fn backoff_grows_exponentially_and_is_capped() {
    let p = policy(Jitter::None);
    let delays: Vec<_> = (1..=5).map(|n| p.backoff(n).as_millis()).collect();
    assert_eq!(
        delays,
        vec![100, 200, 400, 500, 500],
        "base × 2^(n-1), capped at max_delay"
    );
}

#[tokio::test]
async fn transient_failures_are_retried_until_success() {
    let (clock, shared) = manual_clock();
    let retry = Retry::new(policy(Jitter::None), shared, 7);
    let calls = AtomicU32::new(0);
    let result = retry
        .run(
            Idempotency::Idempotent,
            |_| async {
                if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                    Err("503")
                } else {
                    Ok("ok")
                }
            },
            |_| true,
        )
        .await;
    assert_eq!(result, Ok("ok"));
    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "two failures then a success = three attempts"
    );
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_millis(100), Duration::from_millis(200)],
        "the waits must follow the backoff schedule"
    );
}

#[tokio::test]
async fn the_waits_between_attempts_double_until_the_cap() {
    let (clock, shared) = manual_clock();
    let retry = Retry::new(
        RetryPolicy {
            max_attempts: 6,
            ..policy(Jitter::None)
        },
        shared,
        7,
    );
    let result: Result<(), _> = retry
        .run(Idempotency::Idempotent, |_| async { Err("503") }, |_| true)
        .await;
    assert_eq!(
        result,
        Err(RetryError::Exhausted {
            attempts: 6,
            last: "503"
        })
    );
    let waits: Vec<_> = clock.sleeps().iter().map(Duration::as_millis).collect();
    assert_eq!(
        waits,
        vec![100, 200, 400, 500, 500],
        "each wait must double the one before until max_delay caps it; \
         equal waits keep every client hammering a struggling upstream at one pace"
    );
}

#[tokio::test]
async fn each_jittered_wait_stays_within_its_own_retrys_backoff() {
    let (clock, shared) = manual_clock();
    let retry = Retry::new(
        RetryPolicy {
            max_attempts: 5,
            ..policy(Jitter::Equal)
        },
        shared,
        3,
    );
    let _: Result<(), _> = retry
        .run(Idempotency::Idempotent, |_| async { Err("503") }, |_| true)
        .await;
    let waits = clock.sleeps();
    assert_eq!(waits.len(), 4, "five attempts leave four waits");
    for (retry_number, wait) in (1..).zip(&waits) {
        let backoff = policy(Jitter::None).backoff(retry_number);
        assert!(
            *wait >= backoff / 2 && *wait <= backoff,
            "wait {retry_number} must lie in [{:?}, {backoff:?}] (equal jitter of that retry's backoff), got {wait:?}; all waits: {waits:?}",
            backoff / 2
        );
    }
}

#[tokio::test]
async fn attempts_are_bounded() {
    let (_clock, shared) = manual_clock();
    let retry = Retry::new(policy(Jitter::Full), shared, 7);
    let calls = AtomicU32::new(0);
    let result: Result<(), _> = retry
        .run(
            Idempotency::Idempotent,
            |_| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err("timeout")
            },
            |_| true,
        )
        .await;
    assert_eq!(
        result,
        Err(RetryError::Exhausted {
            attempts: 4,
            last: "timeout"
        })
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        4,
        "max_attempts counts the first attempt"
    );
}

#[tokio::test]
async fn non_idempotent_operations_run_exactly_once() {
    let (clock, shared) = manual_clock();
    let retry = Retry::new(policy(Jitter::Full), shared, 7);
    let calls = AtomicU32::new(0);
    let result: Result<(), _> = retry
        .run(
            Idempotency::NonIdempotent,
            |_| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err("timeout")
            },
            |_| true,
        )
        .await;
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "a POST that may have succeeded must not be repeated"
    );
    assert_eq!(result, Err(RetryError::Permanent("timeout")));
    assert!(
        clock.sleeps().is_empty(),
        "no backoff for an operation that is not retried"
    );
}

#[tokio::test]
async fn permanent_errors_stop_at_once() {
    let (_clock, shared) = manual_clock();
    let retry = Retry::new(policy(Jitter::Full), shared, 7);
    let calls = AtomicU32::new(0);
    let result: Result<(), _> = retry
        .run(
            Idempotency::Idempotent,
            |_| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(400)
            },
            |status| *status >= 500,
        )
        .await;
    assert_eq!(result, Err(RetryError::Permanent(400)));
    assert_eq!(calls.load(Ordering::SeqCst), 1, "a 400 is not transient");
}

#[test]
fn full_jitter_spreads_delays_within_the_backoff_and_is_reproducible() {
    let (_c1, a) = manual_clock();
    let (_c2, b) = manual_clock();
    let first = Retry::new(policy(Jitter::Full), a, 42);
    let second = Retry::new(policy(Jitter::Full), b, 42);
    let delays: Vec<_> = (0..50).map(|_| first.delay(3)).collect();
    let again: Vec<_> = (0..50).map(|_| second.delay(3)).collect();
    assert_eq!(delays, again, "the same seed must give the same schedule");
    assert!(
        delays.iter().all(|d| *d <= Duration::from_millis(400)),
        "full jitter stays within [0, backoff]"
    );
    let distinct: std::collections::BTreeSet<_> = delays.iter().collect();
    assert!(
        distinct.len() > 40,
        "jittered delays must differ so clients do not retry in lockstep (got {} distinct of 50)",
        distinct.len()
    );
}

#[test]
fn equal_jitter_keeps_at_least_half_the_backoff() {
    let (_c, shared) = manual_clock();
    let retry = Retry::new(policy(Jitter::Equal), shared, 1);
    for _ in 0..100 {
        let d = retry.delay(2);
        assert!(
            d >= Duration::from_millis(100) && d <= Duration::from_millis(200),
            "equal jitter of 200 ms must lie in [100, 200] ms, got {d:?}"
        );
    }
}

#[test]
fn http_methods_are_classified_by_idempotency() {
    for m in ["GET", "head", "PUT", "DELETE", "OPTIONS"] {
        assert_eq!(
            Idempotency::of_http_method(m),
            Idempotency::Idempotent,
            "{m} is idempotent"
        );
    }
    for m in ["POST", "PATCH"] {
        assert_eq!(
            Idempotency::of_http_method(m),
            Idempotency::NonIdempotent,
            "{m} is not idempotent"
        );
    }
}
