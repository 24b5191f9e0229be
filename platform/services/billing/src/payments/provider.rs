//! The payment service provider contract. Like a real PSP, a provider
//! deduplicates by idempotency key: a request repeated with the same key returns
//! the first result instead of charging again, which is what makes retrying a
//! timed-out charge safe.

use async_trait::async_trait;
use mediaflow_shared::money::Money;
use thiserror::Error;

/// A request to charge a customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeRequest {
    /// Deduplication key at the provider; the same for every retry of one charge.
    pub idempotency_key: String,
    /// The customer (user id).
    pub customer: String,
    /// Amount to charge, positive.
    pub amount: Money,
    /// Statement text.
    pub description: String,
}

/// A successful charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    /// Provider's charge id.
    pub id: String,
    /// The key it was created with.
    pub idempotency_key: String,
    /// The customer charged.
    pub customer: String,
    /// Amount charged.
    pub amount: Money,
}

/// A request to refund part or all of a charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// Deduplication key at the provider.
    pub idempotency_key: String,
    /// The charge to refund.
    pub charge_id: String,
    /// Amount to give back, positive.
    pub amount: Money,
}

/// A successful refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundReceipt {
    /// Provider's refund id.
    pub id: String,
    /// The refunded charge.
    pub charge_id: String,
    /// The key it was created with.
    pub idempotency_key: String,
    /// Amount refunded.
    pub amount: Money,
}

/// Why a provider call did not succeed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PaymentError {
    /// The issuer refused; retrying the same request gives the same answer.
    #[error("payment declined: {0}")]
    Declined(String),
    /// No answer in time; the provider may or may not have processed it.
    #[error("the payment provider did not answer in time")]
    Timeout,
    /// The provider refused the request before processing it.
    #[error("the payment provider is unavailable: {0}")]
    Unavailable(String),
    /// The key was used before for a different request.
    #[error("idempotency key `{0}` was already used for a different request")]
    KeyReused(String),
    /// A refund names a charge the provider does not know.
    #[error("unknown charge `{0}`")]
    UnknownCharge(String),
    /// A refund larger than what is left of the charge.
    #[error("refund exceeds the remaining amount of charge `{0}`")]
    RefundExceedsCharge(String),
}

impl PaymentError {
    /// Whether repeating the same request (same key) may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Timeout | Self::Unavailable(_))
    }
}

/// A payment service provider.
#[async_trait]
pub trait PaymentProvider: Send + Sync + std::fmt::Debug {
    /// Charges a customer; a repeated key returns the first result.
    async fn charge(&self, request: &ChargeRequest) -> Result<Charge, PaymentError>;
    /// Refunds part of a charge; a repeated key returns the first result.
    async fn refund(&self, request: &RefundRequest) -> Result<RefundReceipt, PaymentError>;
}
