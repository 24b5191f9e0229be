//! Retry with exponential backoff, jitter and a cap on attempts. Only idempotent
//! operations are retried: retrying a charge or an insert that may have succeeded
//! would duplicate it.

use std::sync::Mutex;
use std::time::Duration;

use thiserror::Error;

use crate::clock::SharedClock;

/// Whether repeating an operation is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Repeating has the same effect as doing it once (GET, PUT, DELETE, keyed writes).
    Idempotent,
    /// Repeating may duplicate the effect (POST without an idempotency key).
    NonIdempotent,
}

impl Idempotency {
    /// Classifies an HTTP method per RFC 9110 §9.2.2.
    pub fn of_http_method(method: &str) -> Self {
        match method.to_ascii_uppercase().as_str() {
            "GET" | "HEAD" | "OPTIONS" | "TRACE" | "PUT" | "DELETE" => Self::Idempotent,
            _ => Self::NonIdempotent,
        }
    }
}

/// How much randomness to add to each delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Jitter {
    /// Exact exponential delays (only for tests of the schedule itself).
    None,
    /// Uniform in `[0, delay]` ("full jitter").
    Full,
    /// `delay/2 + uniform[0, delay/2]` ("equal jitter").
    Equal,
}

/// Retry settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, the first included (1 = no retry).
    pub max_attempts: u32,
    /// Delay before the first retry.
    pub base_delay: Duration,
    /// Cap on any single delay.
    pub max_delay: Duration,
    /// Growth factor per retry.
    pub multiplier: u32,
    /// Randomisation.
    pub jitter: Jitter,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(5),
            multiplier: 2,
            jitter: Jitter::Full,
        }
    }
}

impl RetryPolicy {
    /// The un-jittered delay before retry number `retry` (1 = first retry):
    /// `base × multiplier^(retry-1)`, capped.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = self.multiplier.saturating_pow(retry.saturating_sub(1));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// Why a retried operation finally failed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum RetryError<E> {
    /// Every allowed attempt failed; the last error.
    #[error("gave up after {attempts} attempts: {last}")]
    Exhausted {
        /// Attempts made.
        attempts: u32,
        /// Last error.
        last: E,
    },
    /// The error was not transient (or the operation is not idempotent).
    #[error("{0}")]
    Permanent(E),
}

impl<E> RetryError<E> {
    /// The underlying error.
    pub fn into_inner(self) -> E {
        match self {
            Self::Exhausted { last, .. } | Self::Permanent(last) => last,
        }
    }
}

/// Runs operations under a [`RetryPolicy`], sleeping on the injected clock.
#[derive(Debug)]
pub struct Retry {
    policy: RetryPolicy,
    clock: SharedClock,
    rng: Mutex<fastrand::Rng>,
}

impl Retry {
    /// A retrier with a seeded jitter source.
    pub fn new(policy: RetryPolicy, clock: SharedClock, seed: u64) -> Self {
        Self {
            policy,
            clock,
            rng: Mutex::new(fastrand::Rng::with_seed(seed)),
        }
    }

    /// The policy.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// The jittered delay before retry number `retry`.
    pub fn delay(&self, retry: u32) -> Duration {
        let backoff = self.policy.backoff(retry);
        let nanos = u64::try_from(backoff.as_nanos()).unwrap_or(u64::MAX);
        let mut rng = self.rng.lock().expect("retry rng poisoned");
        match self.policy.jitter {
            Jitter::None => backoff,
            Jitter::Full => Duration::from_nanos(rng.u64(0..=nanos)),
            Jitter::Equal => Duration::from_nanos(nanos / 2 + rng.u64(0..=nanos / 2)),
        }
    }

    /// Runs `op` (given the attempt number, from 1) until it succeeds, fails
    /// permanently (`is_transient` false), or attempts run out. A non-idempotent
    /// operation runs exactly once.
    pub async fn run<T, E, Fut>(
        &self,
        idempotency: Idempotency,
        mut op: impl FnMut(u32) -> Fut,
        is_transient: impl Fn(&E) -> bool,
    ) -> Result<T, RetryError<E>>
    where
        Fut: Future<Output = Result<T, E>>,
    {
        let max_attempts = match idempotency {
            Idempotency::Idempotent => self.policy.max_attempts.max(1),
            Idempotency::NonIdempotent => 1,
        };
        let mut attempt = 1;
        loop {
            match op(attempt).await {
                Ok(value) => return Ok(value),
                Err(error) if !is_transient(&error) => return Err(RetryError::Permanent(error)),
                Err(error) if attempt >= max_attempts => {
                    return Err(if max_attempts == 1 {
                        RetryError::Permanent(error)
                    } else {
                        RetryError::Exhausted {
                            attempts: attempt,
                            last: error,
                        }
                    });
                }
                Err(_) => {
                    self.clock.sleep(self.delay(attempt)).await;
                    attempt += 1;
                }
            }
        }
    }
}
