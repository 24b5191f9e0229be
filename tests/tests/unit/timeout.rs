//! Timeouts, on tokio's paused clock.

use std::time::Duration;

use mediaflow_shared::resilience::{TimedOut, with_timeout};

#[tokio::test(start_paused = true)]
async fn a_slow_call_times_out_at_the_limit() {
    let result = with_timeout(
        Duration::from_secs(2),
        tokio::time::sleep(Duration::from_secs(10)),
    )
    .await;
    assert_eq!(result, Err(TimedOut(Duration::from_secs(2))));
}

#[tokio::test(start_paused = true)]
async fn a_fast_call_returns_its_value() {
    let result = with_timeout(Duration::from_secs(2), async {
        tokio::time::sleep(Duration::from_millis(1_999)).await;
        7
    })
    .await;
    assert_eq!(
        result,
        Ok(7),
        "a call finishing before the limit must not time out"
    );
}
