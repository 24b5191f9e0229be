//! Account lockout against password guessing: at most `max_failures` password checks
//! per email within a window, then a lock for a fixed time. Pure rules over the
//! attempt record; the store persists the record and the clock is the caller's.
//!
//! An attempt is counted *before* its password is checked and forgiven when it
//! succeeds. Counting afterwards would let concurrent guesses all pass the check
//! while the counter still reads below the limit.

use std::time::Duration;

use mediaflow_shared::clock::{Timestamp, chrono_duration};
use thiserror::Error;

/// How many failed logins lock an account, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Password checks allowed per window; the attempt that reaches it locks.
    pub max_failures: u32,
    /// The window in which attempts add up, from the first one.
    pub window: Duration,
    /// How long a lock lasts.
    pub lock_for: Duration,
}

impl Default for LockoutPolicy {
    /// Five attempts within fifteen minutes, then fifteen minutes locked.
    fn default() -> Self {
        Self {
            max_failures: 5,
            window: Duration::from_secs(15 * 60),
            lock_for: Duration::from_secs(15 * 60),
        }
    }
}

/// Unforgiven login attempts of one email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptRecord {
    /// Attempts counted in the current window, the one in flight included.
    pub failures: u32,
    /// When the current window opened.
    pub window_started_at: Timestamp,
    /// Until when logins are refused, once the limit was reached.
    pub locked_until: Option<Timestamp>,
}

/// The account is locked; nothing is checked until the lock ends.
#[derive(Debug, Error, Clone, Copy, PartialEq, Eq)]
#[error("too many failed logins; the account is locked until {until}")]
pub struct Locked {
    /// When logins are accepted again.
    pub until: Timestamp,
}

impl Locked {
    /// Whole seconds until the lock ends, rounded up and at least one, for a
    /// `Retry-After` header (a client retrying earlier would only be refused again).
    pub fn retry_after_secs(&self, now: Timestamp) -> u64 {
        let remaining_ms = (self.until - now).num_milliseconds().max(0);
        let secs = remaining_ms.saturating_add(999) / 1000;
        u64::try_from(secs).unwrap_or(0).max(1)
    }
}

impl LockoutPolicy {
    /// Counts one login attempt at `now` against `current` (none when the email has
    /// no unforgiven attempts): the record to store before checking the password,
    /// or [`Locked`] when no check may happen.
    ///
    /// A served lock or an elapsed window starts a fresh window. The attempt that
    /// reaches `max_failures` is still checked, and sets the lock that applies
    /// unless it succeeds and is forgiven.
    pub fn reserve(
        &self,
        current: Option<AttemptRecord>,
        now: Timestamp,
    ) -> Result<AttemptRecord, Locked> {
        let window = chrono_duration(self.window);
        let carried = match current {
            Some(AttemptRecord {
                locked_until: Some(until),
                ..
            }) if now < until => return Err(Locked { until }),
            Some(record)
                if record.locked_until.is_none() && now < record.window_started_at + window =>
            {
                Some(record)
            }
            _ => None,
        };
        let (failures, window_started_at) = match carried {
            Some(record) => (record.failures.saturating_add(1), record.window_started_at),
            None => (1, now),
        };
        let locked_until =
            (failures >= self.max_failures).then(|| now + chrono_duration(self.lock_for));
        Ok(AttemptRecord {
            failures,
            window_started_at,
            locked_until,
        })
    }
}
