//! Monthly billing periods on calendar months. A subscription keeps the day of the
//! month it started on (its anchor): a period that would end on a day the month
//! lacks ends on the month's last day instead, and the next one returns to the
//! anchor (Jan 31 → Feb 28 → Mar 31), so periods never drift.

use chrono::{Datelike, Months, NaiveDate};
use mediaflow_shared::clock::Timestamp;

use super::DomainError;

/// One billing period, `start` inclusive, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillingPeriod {
    /// First instant of the period.
    pub start: Timestamp,
    /// First instant after the period.
    pub end: Timestamp,
}

/// `at` moved one calendar month later, on `anchor_day` or the month's last day
/// when the month is shorter; the time of day is kept.
pub fn one_month_after(at: Timestamp, anchor_day: u32) -> Option<Timestamp> {
    let next = at.checked_add_months(Months::new(1))?;
    let day = anchor_day.clamp(1, u32::from(next.num_days_in_month()));
    next.with_day(day)
}

impl BillingPeriod {
    /// A period from `start` to `end`; `end` must be later.
    pub fn new(start: Timestamp, end: Timestamp) -> Result<Self, DomainError> {
        if end <= start {
            return Err(DomainError::EmptyPeriod);
        }
        Ok(Self { start, end })
    }

    /// The monthly period starting at `start`, anchored on `start`'s day of month.
    pub fn monthly_from(start: Timestamp) -> Result<Self, DomainError> {
        let end = one_month_after(start, start.day()).ok_or(DomainError::EmptyPeriod)?;
        Self::new(start, end)
    }

    /// The period right after this one, anchored on `anchor_day`.
    pub fn next(&self, anchor_day: u32) -> Result<Self, DomainError> {
        let end = one_month_after(self.end, anchor_day).ok_or(DomainError::EmptyPeriod)?;
        Self::new(self.end, end)
    }

    /// Calendar days the period spans (28 to 31 for a monthly period).
    pub fn total_days(&self) -> i64 {
        days_between(self.start.date_naive(), self.end.date_naive()).max(1)
    }

    /// Calendar days left at `now`, today included: the days a plan change made
    /// today still covers. Zero once the period's last day has passed.
    pub fn days_remaining(&self, now: Timestamp) -> i64 {
        days_between(now.date_naive(), self.end.date_naive()).clamp(0, self.total_days())
    }

    /// Whether `now` falls inside the period.
    pub fn contains(&self, now: Timestamp) -> bool {
        self.start <= now && now < self.end
    }
}

/// Whole calendar days from `from` to `to` (negative when `to` is earlier).
fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}
