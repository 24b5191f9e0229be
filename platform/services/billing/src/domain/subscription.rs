//! Subscription states and what they allow: which statuses grant access, how a
//! cancellation takes effect (at period end, access kept until then), what a
//! renewal does, and when repeated payment failures end a subscription.

use std::fmt;

use mediaflow_shared::clock::Timestamp;
use mediaflow_shared::media::Resolution;

use super::DomainError;
use super::plan::{Plan, PlanCode};

/// The lifecycle of a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubscriptionStatus {
    /// Paid up and renewing.
    Active,
    /// Canceled by the customer; access continues until the period ends.
    Canceling,
    /// The renewal charge was declined; retried at the next renewal runs.
    PastDue,
    /// Ended; no access.
    Canceled,
}

impl SubscriptionStatus {
    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Canceling => "canceling",
            Self::PastDue => "past_due",
            Self::Canceled => "canceled",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "active" => Some(Self::Active),
            "canceling" => Some(Self::Canceling),
            "past_due" => Some(Self::PastDue),
            "canceled" => Some(Self::Canceled),
            _ => None,
        }
    }

    /// Whether a subscription in this status gives access to its plan: a
    /// cancellation only takes access away at the end of the paid period.
    pub fn grants_access(self) -> bool {
        matches!(self, Self::Active | Self::Canceling)
    }

    /// Whether the subscription still exists for billing (anything but canceled).
    pub fn is_live(self) -> bool {
        self != Self::Canceled
    }
}

impl fmt::Display for SubscriptionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a cancel request does to a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelOutcome {
    /// Active → canceling: access until the period ends, no renewal.
    AtPeriodEnd,
    /// Already canceling: nothing changes.
    AlreadyCanceling,
    /// Past due → canceled now: there is no paid period left to honour.
    Immediately,
}

/// Applies the cancellation rule to `status`.
pub fn cancel(status: SubscriptionStatus) -> Result<CancelOutcome, DomainError> {
    match status {
        SubscriptionStatus::Active => Ok(CancelOutcome::AtPeriodEnd),
        SubscriptionStatus::Canceling => Ok(CancelOutcome::AlreadyCanceling),
        SubscriptionStatus::PastDue => Ok(CancelOutcome::Immediately),
        SubscriptionStatus::Canceled => Err(DomainError::NotAllowed {
            status,
            action: "canceled",
        }),
    }
}

/// Only an active subscription changes plan: a canceling one would charge for a
/// plan that is about to end, a past-due one must settle its debt first.
pub fn ensure_plan_changeable(status: SubscriptionStatus) -> Result<(), DomainError> {
    if status == SubscriptionStatus::Active {
        Ok(())
    } else {
        Err(DomainError::NotAllowed {
            status,
            action: "changed",
        })
    }
}

/// What the renewal run does with a subscription whose period has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenewalAction {
    /// Charge the next period.
    Charge,
    /// The cancellation takes effect: end the subscription.
    Expire,
    /// Nothing to do.
    Skip,
}

/// The renewal rule for `status`.
pub fn renewal_action(status: SubscriptionStatus) -> RenewalAction {
    match status {
        SubscriptionStatus::Active | SubscriptionStatus::PastDue => RenewalAction::Charge,
        SubscriptionStatus::Canceling => RenewalAction::Expire,
        SubscriptionStatus::Canceled => RenewalAction::Skip,
    }
}

/// The status after a declined renewal charge, the `failures`-th in a row: past
/// due while retries remain, canceled once `max_failures` is reached.
pub fn after_declined_renewal(failures: u32, max_failures: u32) -> SubscriptionStatus {
    if failures >= max_failures.max(1) {
        SubscriptionStatus::Canceled
    } else {
        SubscriptionStatus::PastDue
    }
}

/// What a user may watch right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entitlement {
    /// The plan of the latest subscription, if any.
    pub plan: Option<PlanCode>,
    /// The latest subscription's status, if any.
    pub status: Option<SubscriptionStatus>,
    /// Whether the user has access now.
    pub entitled: bool,
    /// Highest resolution allowed; `None` without access.
    pub max_resolution: Option<Resolution>,
    /// Simultaneous streams allowed; 0 without access.
    pub max_streams: u32,
    /// When the current access ends, if it does (a canceling subscription).
    pub access_until: Option<Timestamp>,
}

impl Entitlement {
    /// No subscription at all.
    pub fn none() -> Self {
        Self {
            plan: None,
            status: None,
            entitled: false,
            max_resolution: None,
            max_streams: 0,
            access_until: None,
        }
    }
}

/// The entitlement of a subscription in `status` on `plan` whose period ends at
/// `period_end`, at `now`. An active subscription whose renewal is merely pending
/// keeps access; a canceling one keeps it until the period ends.
pub fn entitlement(
    status: SubscriptionStatus,
    plan: &Plan,
    period_end: Timestamp,
    now: Timestamp,
) -> Entitlement {
    let entitled = match status {
        SubscriptionStatus::Active => true,
        SubscriptionStatus::Canceling => now < period_end,
        SubscriptionStatus::PastDue | SubscriptionStatus::Canceled => false,
    };
    Entitlement {
        plan: Some(plan.code.clone()),
        status: Some(status),
        entitled,
        max_resolution: entitled.then_some(plan.max_resolution),
        max_streams: if entitled { plan.max_streams } else { 0 },
        access_until: (entitled && status == SubscriptionStatus::Canceling).then_some(period_end),
    }
}
