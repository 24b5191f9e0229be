//! Injected time. Every component that reads the time or waits takes a [`Clock`], so
//! tests drive time with a [`ManualClock`] instead of sleeping.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::BoxFuture;

/// A point in time, always UTC.
pub type Timestamp = DateTime<Utc>;

/// The shared handle every component holds.
pub type SharedClock = Arc<dyn Clock>;

/// Source of the current time and of waiting.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> Timestamp;

    /// Wait for `duration`. On a [`ManualClock`] this advances virtual time at once.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// Converts a std duration to a chrono one, saturating at chrono's range.
pub fn chrono_duration(duration: Duration) -> chrono::TimeDelta {
    chrono::TimeDelta::from_std(duration).unwrap_or(chrono::TimeDelta::MAX)
}

/// The wall clock and tokio's timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl SystemClock {
    /// A shared system clock.
    pub fn shared() -> SharedClock {
        Arc::new(Self)
    }
}

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Utc::now()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// Virtual time for tests: it only moves when told to, and a `sleep` moves it
/// forward by the slept duration instead of waiting, recording each sleep so tests
/// can assert on backoff schedules.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<Timestamp>,
    sleeps: Mutex<Vec<Duration>>,
}

impl ManualClock {
    /// A clock frozen at `start`.
    pub fn new(start: Timestamp) -> Self {
        Self {
            now: Mutex::new(start),
            sleeps: Mutex::new(Vec::new()),
        }
    }

    /// A clock frozen at 2026-01-01T00:00:00Z, the tests' usual epoch.
    pub fn at_epoch() -> Self {
        Self::new(DateTime::from_timestamp(1_767_225_600, 0).expect("valid epoch"))
    }

    /// Moves time forward.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().expect("clock poisoned");
        *now += chrono_duration(by);
    }

    /// Jumps to an absolute time (backwards too, to model a clock step).
    pub fn set(&self, to: Timestamp) {
        *self.now.lock().expect("clock poisoned") = to;
    }

    /// Every duration passed to `sleep` so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().expect("clock poisoned").clone()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.now.lock().expect("clock poisoned")
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.sleeps.lock().expect("clock poisoned").push(duration);
        self.advance(duration);
        Box::pin(tokio::task::yield_now())
    }
}
