//! Circuit breaker: closed → open after `failure_threshold` consecutive failures →
//! half-open after the cool-down, admitting a bounded number of probes → closed after
//! `success_threshold` probe successes, or open again on a probe failure.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use thiserror::Error;

use crate::clock::{SharedClock, Timestamp, chrono_duration};

/// Settings of a breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive failures that open the breaker.
    pub failure_threshold: u32,
    /// How long the breaker stays open before probing.
    pub cool_down: Duration,
    /// Probes admitted at once while half-open.
    pub half_open_max_probes: u32,
    /// Probe successes needed to close again.
    pub success_threshold: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            cool_down: Duration::from_secs(30),
            half_open_max_probes: 1,
            success_threshold: 1,
        }
    }
}

/// The breaker's state as observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls flow; `failures` consecutive failures so far.
    Closed {
        /// Consecutive failures.
        failures: u32,
    },
    /// Calls are refused until `until`.
    Open {
        /// End of the cool-down.
        until: Timestamp,
    },
    /// A few probes are admitted.
    HalfOpen {
        /// Probes currently in flight.
        in_flight: u32,
        /// Probe successes so far.
        successes: u32,
    },
}

/// The call was refused because the breaker is open (or half-open and full).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("circuit `{name}` is open; failing fast until the upstream recovers")]
pub struct BreakerOpen {
    /// Breaker name (usually the upstream service).
    pub name: String,
}

#[derive(Debug)]
struct Inner {
    name: String,
    config: BreakerConfig,
    clock: SharedClock,
    state: Mutex<BreakerState>,
}

/// A circuit breaker; clones share state.
#[derive(Debug, Clone)]
pub struct CircuitBreaker {
    inner: Arc<Inner>,
}

/// Admission to make one call. Settle it with [`Permit::success`] or
/// [`Permit::failure`]; dropping it unsettled (a cancelled call) frees its probe slot
/// without counting either way.
#[derive(Debug)]
#[must_use = "settle the permit with success() or failure()"]
pub struct Permit {
    breaker: CircuitBreaker,
    probe: bool,
    settled: bool,
}

impl CircuitBreaker {
    /// A closed breaker.
    pub fn new(name: impl Into<String>, config: BreakerConfig, clock: SharedClock) -> Self {
        Self {
            inner: Arc::new(Inner {
                name: name.into(),
                config,
                clock,
                state: Mutex::new(BreakerState::Closed { failures: 0 }),
            }),
        }
    }

    /// The breaker's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The current state (an open breaker whose cool-down ended reads as half-open).
    pub fn state(&self) -> BreakerState {
        let mut state = self.lock();
        self.refresh(&mut state);
        *state
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BreakerState> {
        self.inner.state.lock().expect("breaker poisoned")
    }

    fn refresh(&self, state: &mut BreakerState) {
        if let BreakerState::Open { until } = *state
            && self.inner.clock.now() >= until
        {
            *state = BreakerState::HalfOpen {
                in_flight: 0,
                successes: 0,
            };
        }
    }

    fn open(&self, state: &mut BreakerState) {
        *state = BreakerState::Open {
            until: self.inner.clock.now() + chrono_duration(self.inner.config.cool_down),
        };
    }

    /// Asks to make a call.
    pub fn try_acquire(&self) -> Result<Permit, BreakerOpen> {
        let mut state = self.lock();
        self.refresh(&mut state);
        let probe = match &mut *state {
            BreakerState::Closed { .. } => false,
            BreakerState::Open { .. } => return Err(self.refused()),
            BreakerState::HalfOpen { in_flight, .. } => {
                if *in_flight >= self.inner.config.half_open_max_probes {
                    return Err(self.refused());
                }
                *in_flight += 1;
                true
            }
        };
        Ok(Permit {
            breaker: self.clone(),
            probe,
            settled: false,
        })
    }

    fn refused(&self) -> BreakerOpen {
        BreakerOpen {
            name: self.inner.name.clone(),
        }
    }

    fn on_success(&self, probe: bool) {
        let mut state = self.lock();
        match &mut *state {
            BreakerState::Closed { failures } => *failures = 0,
            BreakerState::HalfOpen {
                in_flight,
                successes,
            } if probe => {
                *in_flight = in_flight.saturating_sub(1);
                *successes += 1;
                if *successes >= self.inner.config.success_threshold {
                    *state = BreakerState::Closed { failures: 0 };
                }
            }
            _ => {}
        }
    }

    fn on_failure(&self, probe: bool) {
        let mut state = self.lock();
        match &mut *state {
            BreakerState::Closed { failures } => {
                *failures += 1;
                if *failures >= self.inner.config.failure_threshold {
                    self.open(&mut state);
                }
            }
            BreakerState::HalfOpen { .. } if probe => self.open(&mut state),
            _ => {}
        }
    }

    fn on_abandon(&self, probe: bool) {
        if !probe {
            return;
        }
        if let BreakerState::HalfOpen { in_flight, .. } = &mut *self.lock() {
            *in_flight = in_flight.saturating_sub(1);
        }
    }

    /// Runs `call` through the breaker; `is_failure` decides which results count
    /// against the upstream (a 404 is the caller's problem, a 503 the upstream's).
    pub async fn call<T, E, Fut>(
        &self,
        call: impl FnOnce() -> Fut,
        is_failure: impl FnOnce(&Result<T, E>) -> bool,
    ) -> Result<Result<T, E>, BreakerOpen>
    where
        Fut: Future<Output = Result<T, E>>,
    {
        let permit = self.try_acquire()?;
        let result = call().await;
        if is_failure(&result) {
            permit.failure();
        } else {
            permit.success();
        }
        Ok(result)
    }
}

impl Permit {
    /// The call succeeded.
    pub fn success(mut self) {
        self.settled = true;
        self.breaker.on_success(self.probe);
    }

    /// The call failed in a way that counts against the upstream.
    pub fn failure(mut self) {
        self.settled = true;
        self.breaker.on_failure(self.probe);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.settled {
            self.breaker.on_abandon(self.probe);
        }
    }
}
