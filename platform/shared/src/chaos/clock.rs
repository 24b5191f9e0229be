//! Clock skew: a clock that runs ahead of or behind the one it wraps, as a host
//! with a drifting NTP sync would.

use std::sync::Mutex;
use std::time::Duration;

use chrono::TimeDelta;

use crate::BoxFuture;
use crate::clock::{Clock, SharedClock, Timestamp};

/// Wraps a clock and adds an adjustable offset to its readings.
#[derive(Debug)]
pub struct SkewedClock {
    inner: SharedClock,
    offset: Mutex<TimeDelta>,
}

impl SkewedClock {
    /// A clock reading `inner` plus `offset` (negative = behind).
    pub fn new(inner: SharedClock, offset: TimeDelta) -> Self {
        Self {
            inner,
            offset: Mutex::new(offset),
        }
    }

    /// Changes the skew.
    pub fn set_offset(&self, offset: TimeDelta) {
        *self.offset.lock().expect("skew poisoned") = offset;
    }

    /// The current skew.
    pub fn offset(&self) -> TimeDelta {
        *self.offset.lock().expect("skew poisoned")
    }
}

impl Clock for SkewedClock {
    fn now(&self) -> Timestamp {
        self.inner.now() + self.offset()
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.inner.sleep(duration)
    }
}
