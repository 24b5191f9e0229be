//! Pure billing rules: plans, billing periods, proration, subscription states and
//! entitlements, invoices, refunds and idempotency fingerprints. Nothing here does
//! IO or reads the time; callers pass `now` in.

mod error;
pub mod idempotency;
pub mod invoice;
pub mod period;
pub mod plan;
pub mod proration;
pub mod refund;
pub mod subscription;

pub use error::DomainError;
