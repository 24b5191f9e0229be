//! The injected clock: manual time only moves when told, sleeps advance it.

use std::time::Duration;

use mediaflow_shared::clock::{Clock, ManualClock};
use mediaflow_tests::support::manual_clock;

#[test]
fn manual_clock_stands_still_until_advanced() {
    let clock = ManualClock::at_epoch();
    let before = clock.now();
    assert_eq!(
        clock.now(),
        before,
        "a manual clock must not move by itself"
    );
    clock.advance(Duration::from_secs(90));
    assert_eq!(
        (clock.now() - before).num_seconds(),
        90,
        "advance(90s) must move the clock by exactly 90 s"
    );
}

#[tokio::test]
async fn manual_clock_sleep_advances_time_and_is_recorded() {
    let (clock, shared) = manual_clock();
    let start = shared.now();
    shared.sleep(Duration::from_millis(250)).await;
    shared.sleep(Duration::from_secs(2)).await;
    assert_eq!(
        (shared.now() - start).num_milliseconds(),
        2_250,
        "sleeps on virtual time must add up"
    );
    assert_eq!(
        clock.sleeps(),
        vec![Duration::from_millis(250), Duration::from_secs(2)],
        "every sleep must be recorded in order"
    );
}

#[test]
fn manual_clock_can_step_backwards() {
    let clock = ManualClock::at_epoch();
    let start = clock.now();
    clock.set(start - chrono::TimeDelta::seconds(5));
    assert!(
        clock.now() < start,
        "set() must model an NTP step backwards"
    );
}
