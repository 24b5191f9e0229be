//! The service's error enum and its HTTP mapping: each variant has one status and
//! one stable code; internal causes (SQL, lock service) never reach the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mediaflow_shared::http::ApiError;
use mediaflow_shared::lock::LockError;
use mediaflow_shared::money::MoneyError;
use mediaflow_shared::store::StoreError;
use thiserror::Error;

use crate::domain::DomainError;
use crate::payments::PaymentError;

/// Everything a billing request can fail with.
#[derive(Debug, Error)]
pub enum BillingError {
    /// A charging request without `Idempotency-Key`.
    #[error(
        "this request charges money: send an Idempotency-Key header (a fresh UUID per logical request)"
    )]
    IdempotencyKeyMissing,
    /// The key was first used with another request.
    #[error(
        "this Idempotency-Key was already used with a different request; use a new key for a new request"
    )]
    IdempotencyKeyReused,
    /// The first request with this key is still running.
    #[error(
        "a request with this Idempotency-Key is still in progress; retry shortly with the same key"
    )]
    IdempotencyInProgress,
    /// A malformed request.
    #[error("{0}")]
    InvalidRequest(String),
    /// No such plan.
    #[error("unknown plan `{0}`; GET /plans lists the plans")]
    UnknownPlan(String),
    /// The plan is not sold in that currency.
    #[error("plan `{plan}` is not offered in {currency}; GET /plans lists its currencies")]
    UnsupportedCurrency {
        /// Plan code.
        plan: String,
        /// Requested currency.
        currency: String,
    },
    /// The caller has never subscribed.
    #[error("no subscription; subscribe with POST /subscriptions first")]
    NoSubscription,
    /// The caller already has a live subscription.
    #[error("already subscribed; change plan with POST /subscriptions/me/change")]
    AlreadySubscribed,
    /// A change to the plan the subscription is already on.
    #[error("the subscription is already on plan `{0}`")]
    AlreadyOnPlan(String),
    /// No such invoice (or not visible to the caller).
    #[error("invoice not found")]
    InvoiceNotFound,
    /// The invoice has nothing refundable.
    #[error("invoice is {0}; only paid invoices can be refunded")]
    NotRefundable(String),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(&'static str),
    /// Another change to this account holds the lock.
    #[error("another change to this account is in progress; retry in a moment")]
    AccountBusy,
    /// The account lock lapsed before the change was written.
    #[error(
        "the account lock expired before the change was saved; retry the request with the same Idempotency-Key"
    )]
    LeaseLost,
    /// The provider declined the charge.
    #[error("payment declined: {0}; use another payment method")]
    PaymentDeclined(String),
    /// The provider refused the request as conflicting with an earlier one.
    #[error("the payment provider refused the request: {0}; retry with a new Idempotency-Key")]
    PaymentRejected(String),
    /// The provider could not be reached after retries.
    #[error("the payment provider is unavailable; retry with the same Idempotency-Key")]
    PaymentUnavailable(String),
    /// A billing rule refused the operation.
    #[error(transparent)]
    Rule(#[from] DomainError),
    /// The database failed.
    #[error("database error: {0}")]
    Store(#[from] StoreError),
    /// The lock service failed.
    #[error("lock service error: {0}")]
    Lock(LockError),
    /// A stored value cannot be read back.
    #[error("corrupt billing record: {0}")]
    Corrupt(String),
}

impl From<MoneyError> for BillingError {
    fn from(error: MoneyError) -> Self {
        Self::Rule(DomainError::Money(error))
    }
}

impl From<LockError> for BillingError {
    fn from(error: LockError) -> Self {
        match error {
            LockError::Timeout { .. } => Self::AccountBusy,
            other => Self::Lock(other),
        }
    }
}

impl From<PaymentError> for BillingError {
    fn from(error: PaymentError) -> Self {
        match error {
            PaymentError::Declined(reason) => Self::PaymentDeclined(reason),
            PaymentError::Timeout => Self::PaymentUnavailable("timed out".to_owned()),
            PaymentError::Unavailable(reason) => Self::PaymentUnavailable(reason),
            other @ (PaymentError::KeyReused(_)
            | PaymentError::UnknownCharge(_)
            | PaymentError::RefundExceedsCharge(_)) => Self::PaymentRejected(other.to_string()),
        }
    }
}

impl BillingError {
    /// Status and stable code of the variant.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::IdempotencyKeyMissing => (StatusCode::BAD_REQUEST, "idempotency_key_required"),
            Self::IdempotencyKeyReused => {
                (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused")
            }
            Self::IdempotencyInProgress => (StatusCode::CONFLICT, "idempotency_in_progress"),
            Self::InvalidRequest(_) => (StatusCode::BAD_REQUEST, "invalid_request"),
            Self::UnknownPlan(_) => (StatusCode::BAD_REQUEST, "unknown_plan"),
            Self::UnsupportedCurrency { .. } => (StatusCode::BAD_REQUEST, "unsupported_currency"),
            Self::NoSubscription => (StatusCode::NOT_FOUND, "no_subscription"),
            Self::AlreadySubscribed => (StatusCode::CONFLICT, "already_subscribed"),
            Self::AlreadyOnPlan(_) => (StatusCode::CONFLICT, "already_on_plan"),
            Self::InvoiceNotFound => (StatusCode::NOT_FOUND, "not_found"),
            Self::NotRefundable(_) => (StatusCode::CONFLICT, "not_refundable"),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Self::AccountBusy => (StatusCode::CONFLICT, "account_busy"),
            Self::LeaseLost => (StatusCode::SERVICE_UNAVAILABLE, "lease_lost"),
            Self::PaymentDeclined(_) => (StatusCode::PAYMENT_REQUIRED, "payment_declined"),
            Self::PaymentRejected(_) => (StatusCode::CONFLICT, "payment_rejected"),
            Self::PaymentUnavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "payment_unavailable"),
            Self::Rule(rule) => match rule {
                DomainError::InvalidPlanCode(_)
                | DomainError::InvalidIdempotencyKey
                | DomainError::InvalidRefundAmount(_) => {
                    (StatusCode::BAD_REQUEST, "invalid_request")
                }
                DomainError::NotAllowed { .. } => (StatusCode::CONFLICT, "subscription_not_active"),
                DomainError::RefundExceedsCharge { .. } => {
                    (StatusCode::UNPROCESSABLE_ENTITY, "refund_exceeds_charge")
                }
                DomainError::EmptyPeriod | DomainError::Money(_) => {
                    (StatusCode::INTERNAL_SERVER_ERROR, "internal")
                }
            },
            Self::Store(StoreError::Unavailable(_) | StoreError::Conflict(_)) | Self::Lock(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
            }
            Self::Store(_) | Self::Corrupt(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    /// Whether the same request may succeed later, so its idempotency key must stay
    /// usable: server-side and transient failures, never a client's mistake.
    pub fn is_retryable(&self) -> bool {
        self.status_and_code().0.is_server_error()
            || matches!(self, Self::AccountBusy | Self::IdempotencyInProgress)
    }

    /// The client-facing error.
    pub fn to_api_error(&self) -> ApiError {
        let (status, code) = self.status_and_code();
        let error =
            if status.is_server_error() && code != "payment_unavailable" && code != "lease_lost" {
                // Store and lock failures carry internal detail; the client gets the
                // generic message, with its code.
                ApiError::new(
                    status,
                    code,
                    "the billing service could not complete the request; retry later",
                )
            } else {
                ApiError::new(status, code, self.to_string())
            };
        if self.is_retryable() {
            error.retry_after(1)
        } else {
            error
        }
    }
}

impl IntoResponse for BillingError {
    fn into_response(self) -> Response {
        self.to_api_error().into_response()
    }
}
