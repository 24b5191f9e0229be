//! What every lost-connection test asserts about an outage: the first call after
//! the stop fails within [`FAIL_WITHIN`] (an error, never a hang) naming the URL
//! without its password, and the first call after the restart succeeds within
//! [`RECOVER_WITHIN`] on the same adapter object.

use std::fmt::Debug;
use std::time::{Duration, Instant};

/// Bound on the first call after the stop. Measured at well under a second on
/// every backend (the stop closes the connections, so the adapters see it at
/// once); the margin covers a loaded 2-core CI machine.
pub(super) const FAIL_WITHIN: Duration = Duration::from_secs(10);
/// Bound on the first call after the restart (the script returns once the
/// server answers, so this is the reconnect, not the boot).
pub(super) const RECOVER_WITHIN: Duration = Duration::from_secs(10);

/// The password of every throwaway server (the scripts' own).
const PASSWORD: &str = "mediaflow-local";

/// Runs the first call after the stop: it must fail, within [`FAIL_WITHIN`].
pub(super) async fn fails_in_time<T: Debug, E>(
    what: &str,
    call: impl Future<Output = Result<T, E>>,
) -> (E, Duration) {
    let began = Instant::now();
    let outcome = tokio::time::timeout(FAIL_WITHIN, call)
        .await
        .unwrap_or_else(|_| panic!("{what} hung: no answer {FAIL_WITHIN:?} after the stop"));
    let took = began.elapsed();
    match outcome {
        Ok(value) => panic!("{what} succeeded with the server stopped: {value:?}"),
        Err(error) => (error, took),
    }
}

/// Runs the first call after the restart: it must succeed, within [`RECOVER_WITHIN`].
pub(super) async fn succeeds_in_time<T, E: Debug>(
    what: &str,
    call: impl Future<Output = Result<T, E>>,
) -> (T, Duration) {
    let began = Instant::now();
    let outcome = tokio::time::timeout(RECOVER_WITHIN, call)
        .await
        .unwrap_or_else(|_| panic!("{what} hung: no answer {RECOVER_WITHIN:?} after the restart"));
    let took = began.elapsed();
    match outcome {
        Ok(value) => (value, took),
        Err(error) => panic!("{what} did not recover after the restart: {error:?}"),
    }
}

/// The message names the server by its redacted URL and never shows the password.
pub(super) fn assert_names_url(message: &str, redacted_url: &str) {
    assert!(
        message.contains(redacted_url),
        "the error names the server {redacted_url}: {message}"
    );
    assert!(
        !message.contains(PASSWORD),
        "the error never shows the password: {message}"
    );
}

/// The numbers of one outage, on stderr (nextest shows them with `--no-capture`).
pub(super) fn report(backend: &str, error_after: Duration, restart: Duration, recovered: Duration) {
    eprintln!(
        "{backend}: error {} ms after the stop; restart script {} ms; first call after it {} ms",
        error_after.as_millis(),
        restart.as_millis(),
        recovered.as_millis()
    );
}
