//! Token-bucket arithmetic: a bucket holds up to `capacity` tokens, regains
//! `refill_tokens` every `refill_period` pro rata, and each request takes one.
//! The level is kept in token-nanoseconds (one token = `refill_period` in
//! nanoseconds), so a refill of `elapsed × refill_tokens` is an exact integer and
//! any number of small refills adds up to exactly the same credit as one large
//! one; rounding or floating point would drift by a little on every request.

use std::time::Duration;

use thiserror::Error;

use mediaflow_shared::clock::Timestamp;

const NANOS_PER_SECOND: u128 = 1_000_000_000;

/// A rate limit: burst size and sustained rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed at once after an idle period (the burst).
    pub capacity: u32,
    /// Tokens regained per `refill_period`.
    pub refill_tokens: u32,
    /// Period over which `refill_tokens` are regained, continuously.
    pub refill_period: Duration,
}

/// Why a rate limit is unusable.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum RateLimitError {
    /// Not `<tokens>/<period>`.
    #[error("expected <tokens>/<period> such as 100/1m")]
    Format,
    /// A zero capacity, refill or period would block everything or divide by zero.
    #[error("capacity, tokens and period must all be greater than zero")]
    Zero,
}

impl RateLimit {
    /// A limit of `refill_tokens` per `refill_period` with a burst of `capacity`.
    pub fn new(
        capacity: u32,
        refill_tokens: u32,
        refill_period: Duration,
    ) -> Result<Self, RateLimitError> {
        if capacity == 0 || refill_tokens == 0 || refill_period.is_zero() {
            return Err(RateLimitError::Zero);
        }
        Ok(Self {
            capacity,
            refill_tokens,
            refill_period,
        })
    }

    /// Parses `<tokens>/<period>` (`100/1m`, `5/1s`) with the given burst.
    pub fn parse(rate: &str, capacity: u32) -> Result<Self, RateLimitError> {
        let (tokens, period) = rate.trim().split_once('/').ok_or(RateLimitError::Format)?;
        let tokens: u32 = tokens.trim().parse().map_err(|_| RateLimitError::Format)?;
        let period = mediaflow_shared::config::parse_duration(period.trim())
            .ok_or(RateLimitError::Format)?;
        Self::new(capacity, tokens, period)
    }

    /// One token in token-nanoseconds.
    fn token(&self) -> u128 {
        self.refill_period.as_nanos()
    }

    fn capacity_credit(&self) -> u128 {
        u128::from(self.capacity) * self.token()
    }

    /// Credit regained over `elapsed`: exact, no rounding.
    fn refill_credit(&self, elapsed: Duration) -> u128 {
        elapsed.as_nanos() * u128::from(self.refill_tokens)
    }

    /// Time needed to regain `missing` credit, rounded up to the nanosecond so a
    /// client told to come back then is admitted.
    fn time_to_regain(&self, missing: u128) -> Duration {
        let nanos = missing.div_ceil(u128::from(self.refill_tokens));
        let secs = u64::try_from(nanos / NANOS_PER_SECOND).unwrap_or(u64::MAX);
        let sub = u32::try_from(nanos % NANOS_PER_SECOND).unwrap_or(0);
        Duration::new(secs, sub)
    }
}

/// The outcome of asking a bucket for one token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Let the request through; `remaining` whole tokens are left.
    Admitted {
        /// Whole tokens left after this request.
        remaining: u32,
    },
    /// Refuse it; a token will be available after `retry_after`.
    Limited {
        /// Time until the next token.
        retry_after: Duration,
    },
}

impl Admission {
    /// Whole seconds for a `Retry-After` header: rounded up, at least 1, so a
    /// client that honours it is admitted on its next try.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Self::Admitted { .. } => None,
            Self::Limited { retry_after } => {
                let whole = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
                Some(whole.max(1))
            }
        }
    }
}

/// One client's bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenBucket {
    /// Level in token-nanoseconds.
    credit: u128,
    updated_at: Timestamp,
}

impl TokenBucket {
    /// A full bucket: a client never seen before gets the whole burst.
    pub fn full(limit: &RateLimit, now: Timestamp) -> Self {
        Self {
            credit: limit.capacity_credit(),
            updated_at: now,
        }
    }

    /// Credits the time since the last update. A clock that stepped backwards
    /// credits nothing and keeps the later reference point, so rewinding the clock
    /// can never mint tokens.
    fn refill(&mut self, limit: &RateLimit, now: Timestamp) {
        let Ok(elapsed) = (now - self.updated_at).to_std() else {
            return;
        };
        self.credit = (self.credit + limit.refill_credit(elapsed)).min(limit.capacity_credit());
        self.updated_at = now;
    }

    /// Takes one token if there is one.
    pub fn try_take(&mut self, limit: &RateLimit, now: Timestamp) -> Admission {
        self.refill(limit, now);
        let token = limit.token();
        if self.credit >= token {
            self.credit -= token;
            let remaining = u32::try_from(self.credit / token).unwrap_or(u32::MAX);
            Admission::Admitted { remaining }
        } else {
            Admission::Limited {
                retry_after: limit.time_to_regain(token - self.credit),
            }
        }
    }

    /// The level the bucket will have at `now`, in token-nanoseconds (one token =
    /// the refill period in nanoseconds); for comparing buckets of one limit.
    pub fn level_at(&self, limit: &RateLimit, now: Timestamp) -> u128 {
        let mut probe = *self;
        probe.refill(limit, now);
        probe.credit
    }

    /// Whether the bucket has refilled completely by `now`; a full bucket carries
    /// no information and can be forgotten.
    pub fn is_full(&self, limit: &RateLimit, now: Timestamp) -> bool {
        self.level_at(limit, now) >= limit.capacity_credit()
    }
}
