//! Circuit breaker state machine, on a manual clock.

use std::time::Duration;

use mediaflow_shared::resilience::{BreakerConfig, BreakerState, CircuitBreaker};
use mediaflow_tests::support::manual_clock;

fn breaker(
    threshold: u32,
    probes: u32,
    successes: u32,
) -> (
    std::sync::Arc<mediaflow_shared::clock::ManualClock>,
    CircuitBreaker,
) {
    let (clock, shared) = manual_clock();
    let config = BreakerConfig {
        failure_threshold: threshold,
        cool_down: Duration::from_secs(30),
        half_open_max_probes: probes,
        success_threshold: successes,
    };
    (clock, CircuitBreaker::new("catalog", config, shared))
}

fn fail(b: &CircuitBreaker, times: u32) {
    for _ in 0..times {
        b.try_acquire()
            .expect("breaker should admit while closed")
            .failure();
    }
}

#[test]
fn breaker_opens_at_exactly_the_threshold_of_consecutive_failures() {
    let (_clock, b) = breaker(3, 1, 1);
    fail(&b, 2);
    assert_eq!(
        b.state(),
        BreakerState::Closed { failures: 2 },
        "two failures are below a threshold of three"
    );
    fail(&b, 1);
    assert!(
        matches!(b.state(), BreakerState::Open { .. }),
        "the third consecutive failure must open the breaker, got {:?}",
        b.state()
    );
    assert!(
        b.try_acquire().is_err(),
        "an open breaker must refuse calls"
    );
}

#[test]
fn a_success_resets_the_consecutive_failure_count() {
    let (_clock, b) = breaker(3, 1, 1);
    fail(&b, 2);
    b.try_acquire().expect("closed").success();
    fail(&b, 2);
    assert_eq!(
        b.state(),
        BreakerState::Closed { failures: 2 },
        "failures must be consecutive to open the breaker"
    );
}

#[test]
fn breaker_half_opens_after_the_cool_down_and_admits_bounded_probes() {
    let (clock, b) = breaker(1, 2, 1);
    fail(&b, 1);
    clock.advance(Duration::from_secs(29));
    assert!(
        b.try_acquire().is_err(),
        "still open one second before the cool-down ends"
    );
    clock.advance(Duration::from_secs(1));
    let p1 = b.try_acquire().expect("first probe admitted");
    let p2 = b.try_acquire().expect("second probe admitted");
    assert!(
        b.try_acquire().is_err(),
        "a third concurrent probe exceeds half_open_max_probes = 2"
    );
    drop(p1);
    let p3 = b.try_acquire().expect("an abandoned probe frees its slot");
    p2.success();
    assert_eq!(
        b.state(),
        BreakerState::Closed { failures: 0 },
        "one probe success closes with success_threshold = 1"
    );
    drop(p3);
}

#[test]
fn a_failed_probe_reopens_for_a_full_cool_down() {
    let (clock, b) = breaker(1, 1, 2);
    fail(&b, 1);
    clock.advance(Duration::from_secs(30));
    b.try_acquire().expect("probe").success();
    assert!(
        matches!(b.state(), BreakerState::HalfOpen { successes: 1, .. }),
        "one of two required successes"
    );
    b.try_acquire().expect("second probe").failure();
    assert!(
        matches!(b.state(), BreakerState::Open { .. }),
        "a probe failure must reopen"
    );
    clock.advance(Duration::from_secs(29));
    assert!(
        b.try_acquire().is_err(),
        "the new cool-down lasts the full 30 s"
    );
}

#[tokio::test]
async fn call_counts_only_the_failures_the_classifier_blames_on_the_upstream() {
    let (_clock, b) = breaker(2, 1, 1);
    for _ in 0..5 {
        let outcome = b
            .call(
                || async { Err::<(), u16>(404) },
                |r| matches!(r, Err(s) if *s >= 500),
            )
            .await;
        assert_eq!(
            outcome,
            Ok(Err(404)),
            "the breaker passes the result through"
        );
    }
    assert_eq!(
        b.state(),
        BreakerState::Closed { failures: 0 },
        "404s are not upstream failures"
    );
    for _ in 0..2 {
        let _ = b
            .call(
                || async { Err::<(), u16>(503) },
                |r| matches!(r, Err(s) if *s >= 500),
            )
            .await;
    }
    let refused = b.call(|| async { Ok::<(), u16>(()) }, |r| r.is_err()).await;
    assert!(
        refused.is_err(),
        "two 503s must open a breaker with threshold 2"
    );
}
