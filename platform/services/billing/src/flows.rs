//! The billing operations: each takes the account lock when it changes a
//! subscription, charges through the keyed, retried charger, and commits the
//! state change, its invoice, its events and its idempotent response in one
//! transaction.

mod cancel;
mod change;
mod common;
mod context;
mod queries;
mod refund;
mod renewals;
mod subscribe;

pub use cancel::cancel;
pub use change::change_plan;
pub use context::{Billing, Reply};
pub use queries::{entitlement, invoices, plans, subscription};
pub use refund::refund;
pub use renewals::{RenewalReport, run_renewals};
pub use subscribe::subscribe;
