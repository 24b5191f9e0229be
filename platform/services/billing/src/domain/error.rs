//! Why a billing rule refused an operation.

use mediaflow_shared::money::{Money, MoneyError};
use thiserror::Error;

use super::subscription::SubscriptionStatus;

/// A broken billing rule; each variant maps to a client error.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DomainError {
    /// A plan code that is not `[a-z0-9_-]{1,32}`.
    #[error("plan code `{0}` is invalid; use one of the codes listed by GET /plans")]
    InvalidPlanCode(String),
    /// An `Idempotency-Key` that is empty, too long or not printable ASCII.
    #[error("the Idempotency-Key header must be 1 to 255 printable ASCII characters; send a UUID")]
    InvalidIdempotencyKey,
    /// The subscription's status does not allow the operation.
    #[error("a {status} subscription cannot be {action}")]
    NotAllowed {
        /// Current status.
        status: SubscriptionStatus,
        /// What was attempted, as a past participle (`changed`, `canceled`).
        action: &'static str,
    },
    /// A billing period whose end is not after its start.
    #[error("the billing period must end after it starts")]
    EmptyPeriod,
    /// A refund amount that is zero or negative.
    #[error("refund amount must be a positive number of minor units, got {0}")]
    InvalidRefundAmount(i64),
    /// A refund larger than what is left of the charge.
    #[error(
        "refund of {requested} exceeds the {refundable} still refundable on this invoice; refund at most that"
    )]
    RefundExceedsCharge {
        /// Amount asked for.
        requested: Money,
        /// Charge minus refunds so far.
        refundable: Money,
    },
    /// Arithmetic that would overflow or mix currencies.
    #[error("money arithmetic failed: {0}")]
    Money(#[from] MoneyError),
}
