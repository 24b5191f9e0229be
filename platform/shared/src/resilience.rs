//! Resilience for outbound calls: circuit breaker, retry with exponential backoff
//! and jitter (idempotent operations only), timeouts, and a bulkhead.

mod breaker;
mod bulkhead;
mod retry;
mod timeout;

pub use breaker::{BreakerConfig, BreakerOpen, BreakerState, CircuitBreaker, Permit};
pub use bulkhead::{Bulkhead, BulkheadFull, BulkheadPermit};
pub use retry::{Idempotency, Jitter, Retry, RetryError, RetryPolicy};
pub use timeout::{TimedOut, with_timeout};
