//! Invoices: their kinds, statuses and lines, the rule that the lines sum exactly
//! to the total, and the lines of a period charge with account credit applied.

use mediaflow_shared::money::{Currency, Money};

use super::DomainError;
use super::period::BillingPeriod;
use super::plan::{PlanCode, PricedPlan};

/// Why an invoice was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceKind {
    /// The first period of a new subscription.
    Subscription,
    /// A plan change in mid-period.
    Proration,
    /// A later period.
    Renewal,
}

/// Where an invoice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceStatus {
    /// Charged in full (or nothing was due).
    Paid,
    /// The total was negative and went to the account's credit balance.
    Credited,
    /// The charge was declined.
    Failed,
    /// Part of the charge was refunded.
    PartiallyRefunded,
    /// The whole charge was refunded.
    Refunded,
}

/// What an invoice line is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineKind {
    /// A full period of a plan.
    Plan,
    /// Credit for the unused days of the previous plan.
    ProrationCredit,
    /// Charge for the remaining days of the new plan.
    ProrationCharge,
    /// Account credit consumed by this invoice.
    AccountCredit,
}

macro_rules! text_enum {
    ($ty:ty { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            /// The stored and serialised name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// Parses a stored name.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some(Self::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(InvoiceKind { Subscription => "subscription", Proration => "proration", Renewal => "renewal" });
text_enum!(InvoiceStatus {
    Paid => "paid",
    Credited => "credited",
    Failed => "failed",
    PartiallyRefunded => "partially_refunded",
    Refunded => "refunded",
});
text_enum!(LineKind {
    Plan => "plan",
    ProrationCredit => "proration_credit",
    ProrationCharge => "proration_charge",
    AccountCredit => "account_credit",
});

/// One line of an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    /// What the line is for.
    pub kind: LineKind,
    /// Text shown to the customer.
    pub description: String,
    /// The plan the line prices, if any.
    pub plan: Option<PlanCode>,
    /// Days covered, for prorated lines.
    pub days: Option<i64>,
    /// Days in the period the line was prorated over.
    pub period_days: Option<i64>,
    /// Signed amount: negative for credits.
    pub amount: Money,
}

/// The exact sum of `lines`, in `currency`; every line must be in it.
pub fn total_of(lines: &[InvoiceLine], currency: Currency) -> Result<Money, DomainError> {
    lines
        .iter()
        .try_fold(Money::zero(currency), |sum, line| {
            sum.checked_add(line.amount)
        })
        .map_err(DomainError::from)
}

/// The lines of a full period of `plan`, minus as much of `credit` (a
/// non-negative account balance) as the price absorbs; also returns the credit used.
pub fn period_lines(
    plan: &PricedPlan,
    period: &BillingPeriod,
    credit: Money,
) -> Result<(Vec<InvoiceLine>, Money), DomainError> {
    let days = period.total_days();
    let mut lines = vec![InvoiceLine {
        kind: LineKind::Plan,
        description: format!(
            "{} plan, {} to {}",
            plan.name,
            period.start.date_naive(),
            period.end.date_naive()
        ),
        plan: Some(plan.code.clone()),
        days: Some(days),
        period_days: Some(days),
        amount: plan.price,
    }];
    let used = Money::from_minor(
        credit.minor.clamp(0, plan.price.minor.max(0)),
        plan.price.currency,
    );
    if used.minor > 0 {
        lines.push(InvoiceLine {
            kind: LineKind::AccountCredit,
            description: "Account credit applied".to_owned(),
            plan: None,
            days: None,
            period_days: None,
            amount: Money::zero(used.currency).checked_sub(used)?,
        });
    }
    Ok((lines, used))
}

/// The status of a paid invoice once `refunded` of its `paid` amount went back.
pub fn status_after_refunds(paid: Money, refunded: Money) -> InvoiceStatus {
    if refunded.minor <= 0 {
        InvoiceStatus::Paid
    } else if refunded.minor >= paid.minor {
        InvoiceStatus::Refunded
    } else {
        InvoiceStatus::PartiallyRefunded
    }
}
