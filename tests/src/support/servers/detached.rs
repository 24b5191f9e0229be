//! Cleanups that run when a test's infrastructure is dropped: by then the test's
//! runtime may be shutting down, so the cleanup gets a thread and a runtime of
//! its own, and a bound, so a server that stopped answering never hangs a test.

use std::future::Future;
use std::time::Duration;

/// How long a cleanup may take before it is abandoned.
const CLEANUP_BOUND: Duration = Duration::from_secs(10);

/// Runs `cleanup` to completion (or [`CLEANUP_BOUND`]) on a fresh thread and
/// runtime, and waits for it. Failures are printed, never raised: cleanup is
/// best effort and must not turn a passing test into a failing one.
pub(super) fn run_detached<F, Fut>(what: &str, cleanup: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), String>>,
{
    let what = what.to_owned();
    let worker = std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(runtime) => runtime,
            Err(e) => return Err(format!("no runtime for the cleanup: {e}")),
        };
        runtime.block_on(async move {
            tokio::time::timeout(CLEANUP_BOUND, cleanup())
                .await
                .unwrap_or_else(|_| Err(format!("gave up after {CLEANUP_BOUND:?}")))
        })
    });
    match worker.join() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => eprintln!("cleanup of {what} failed (left behind): {e}"),
        Err(_) => eprintln!("cleanup of {what} panicked (left behind)"),
    }
}
