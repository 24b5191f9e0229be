//! Payments: the provider contract, the deterministic simulated provider, and the
//! charger that retries transient failures with the same provider idempotency key.

mod charger;
mod gate;
mod provider;
mod simulated;

pub use charger::Payments;
pub use provider::{
    Charge, ChargeRequest, PaymentError, PaymentProvider, RefundReceipt, RefundRequest,
};
pub use simulated::{FailureRates, ScriptedOutcome, SimulatedProvider};
