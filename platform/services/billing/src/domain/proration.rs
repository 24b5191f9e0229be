//! Proration of a plan change in mid-period: the customer is credited the unused
//! days of the old plan and charged the remaining days of the new one, both over
//! the actual number of days in the current period. Each line is rounded once,
//! half to even, in integer minor units; the total is the exact sum of the lines.

use mediaflow_shared::clock::Timestamp;
use mediaflow_shared::money::Money;

use super::DomainError;
use super::invoice::{InvoiceLine, LineKind};
use super::period::BillingPeriod;
use super::plan::PricedPlan;

/// What a plan change costs now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProrationQuote {
    /// Negative line: the old plan's unused days.
    pub credit: InvoiceLine,
    /// Positive line: the new plan's remaining days.
    pub charge: InvoiceLine,
    /// `credit + charge`: positive to charge, negative to credit the account.
    pub total: Money,
    /// Days of the period left, today included.
    pub days_remaining: i64,
    /// Days in the period.
    pub period_days: i64,
}

impl ProrationQuote {
    /// The two lines, credit first, as they appear on the invoice.
    pub fn lines(&self) -> Vec<InvoiceLine> {
        vec![self.credit.clone(), self.charge.clone()]
    }
}

/// Prices a change from `from` to `to` made at `now` within `period`.
pub fn prorate(
    from: &PricedPlan,
    to: &PricedPlan,
    period: &BillingPeriod,
    now: Timestamp,
) -> Result<ProrationQuote, DomainError> {
    let period_days = period.total_days();
    let days_remaining = period.days_remaining(now);
    let unused = from.price.mul_ratio(days_remaining, period_days)?;
    let remaining = to.price.mul_ratio(days_remaining, period_days)?;
    let credit_amount = Money::zero(unused.currency).checked_sub(unused)?;
    let total = credit_amount.checked_add(remaining)?;
    Ok(ProrationQuote {
        credit: InvoiceLine {
            kind: LineKind::ProrationCredit,
            description: format!(
                "Unused time on {} ({days_remaining} of {period_days} days)",
                from.name
            ),
            plan: Some(from.code.clone()),
            days: Some(days_remaining),
            period_days: Some(period_days),
            amount: credit_amount,
        },
        charge: InvoiceLine {
            kind: LineKind::ProrationCharge,
            description: format!(
                "Remaining time on {} ({days_remaining} of {period_days} days)",
                to.name
            ),
            plan: Some(to.code.clone()),
            days: Some(days_remaining),
            period_days: Some(period_days),
            amount: remaining,
        },
        total,
        days_remaining,
        period_days,
    })
}
