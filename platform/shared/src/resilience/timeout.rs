//! Timeouts on outbound calls, on tokio's timer (so tests pause time with
//! `#[tokio::test(start_paused = true)]`).

use std::time::Duration;

use thiserror::Error;

/// The operation did not finish in time.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
#[error("timed out after {0:?}")]
pub struct TimedOut(pub Duration);

/// Runs `fut`, giving up after `limit`.
pub async fn with_timeout<T>(limit: Duration, fut: impl Future<Output = T>) -> Result<T, TimedOut> {
    tokio::time::timeout(limit, fut)
        .await
        .map_err(|_| TimedOut(limit))
}
