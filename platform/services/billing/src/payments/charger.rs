//! The charger: every provider call runs under a timeout and is retried with
//! backoff while the failure is transient. A retry re-sends the very same request,
//! provider idempotency key included, so a charge whose answer was lost is
//! returned by the provider on the retry instead of being made twice.

use std::sync::Arc;
use std::time::Duration;

use mediaflow_shared::clock::SharedClock;
use mediaflow_shared::resilience::{Idempotency, Retry, RetryError, RetryPolicy, with_timeout};

use super::provider::{
    Charge, ChargeRequest, PaymentError, PaymentProvider, RefundReceipt, RefundRequest,
};

/// Calls the provider with timeouts and keyed retries.
#[derive(Debug)]
pub struct Payments {
    /// The provider.
    provider: Arc<dyn PaymentProvider>,
    /// Backoff schedule, sleeping on the injected clock.
    retry: Retry,
    /// Limit per attempt.
    timeout: Duration,
}

impl Payments {
    /// A charger over `provider`; `seed` drives the retry jitter.
    pub fn new(
        provider: Arc<dyn PaymentProvider>,
        policy: RetryPolicy,
        timeout: Duration,
        clock: SharedClock,
        seed: u64,
    ) -> Self {
        Self {
            provider,
            retry: Retry::new(policy, clock, seed),
            timeout,
        }
    }

    /// Charges, retrying transient failures with the same request. The request
    /// carries its idempotency key, which is what makes it safe to repeat.
    pub async fn charge(&self, request: &ChargeRequest) -> Result<Charge, PaymentError> {
        self.retry
            .run(
                Idempotency::Idempotent,
                |_| async {
                    with_timeout(self.timeout, self.provider.charge(request))
                        .await
                        .unwrap_or(Err(PaymentError::Timeout))
                },
                PaymentError::is_transient,
            )
            .await
            .map_err(RetryError::into_inner)
    }

    /// Refunds, retrying transient failures with the same request.
    pub async fn refund(&self, request: &RefundRequest) -> Result<RefundReceipt, PaymentError> {
        self.retry
            .run(
                Idempotency::Idempotent,
                |_| async {
                    with_timeout(self.timeout, self.provider.refund(request))
                        .await
                        .unwrap_or(Err(PaymentError::Timeout))
                },
                PaymentError::is_transient,
            )
            .await
            .map_err(RetryError::into_inner)
    }
}
