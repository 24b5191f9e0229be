//! Fixtures: a manual clock at the tests' epoch and helpers around it.

use std::sync::Arc;

use mediaflow_shared::clock::{ManualClock, SharedClock};

/// A manual clock at 2026-01-01T00:00:00Z, plus the same clock as a shared handle.
pub fn manual_clock() -> (Arc<ManualClock>, SharedClock) {
    let clock = Arc::new(ManualClock::at_epoch());
    let shared: SharedClock = clock.clone();
    (clock, shared)
}
