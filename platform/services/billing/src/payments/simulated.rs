//! A deterministic payment provider for development and tests. It behaves like a
//! real PSP where it matters: results are remembered per idempotency key (a
//! replay returns the first charge, a key reused for another amount is refused),
//! refunds never exceed their charge, and it can fail the way networks do —
//! declined, unavailable before processing, or timing out after processing, the
//! case that double-charges clients which retry with a fresh key. Outcomes come
//! from a script first, then from seeded failure rates; a pause holds requests
//! at the door, as a provider that stops answering for a while.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use super::gate::Gate;
use super::provider::{
    Charge, ChargeRequest, PaymentError, PaymentProvider, RefundReceipt, RefundRequest,
};

/// What the provider does with the next request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScriptedOutcome {
    /// Process it normally.
    Approve,
    /// Decline it with this reason (remembered for the key, like a real PSP).
    Decline(String),
    /// Process it, then lose the answer: the caller sees a timeout.
    TimeoutAfterProcessing,
    /// Refuse it before processing: the caller sees the provider unavailable.
    Unavailable,
}

/// Random failure rates in basis points (1/100 of a percent), drawn from the
/// provider's seeded generator once the script is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FailureRates {
    /// Share of charges declined.
    pub decline_bp: u32,
    /// Share of requests processed whose answer is lost.
    pub timeout_bp: u32,
    /// Share of requests refused before processing.
    pub unavailable_bp: u32,
}

impl FailureRates {
    /// No failures.
    pub const NONE: Self = Self {
        decline_bp: 0,
        timeout_bp: 0,
        unavailable_bp: 0,
    };
}

/// The remembered result of a charge key.
#[derive(Debug, Clone)]
enum ChargeRecord {
    Charged(Charge),
    Declined {
        request: ChargeRequest,
        reason: String,
    },
}

#[derive(Debug)]
struct State {
    rng: fastrand::Rng,
    rates: FailureRates,
    script: VecDeque<ScriptedOutcome>,
    charges: Vec<Charge>,
    charge_keys: HashMap<String, ChargeRecord>,
    refunds: Vec<RefundReceipt>,
    refund_keys: HashMap<String, RefundReceipt>,
    charge_calls: u64,
    refund_calls: u64,
    next_id: u64,
}

impl State {
    /// The outcome for the next request: scripted, else drawn from the rates.
    fn next_outcome(&mut self) -> ScriptedOutcome {
        if let Some(outcome) = self.script.pop_front() {
            return outcome;
        }
        let draw = self.rng.u32(0..10_000);
        let rates = self.rates;
        let unavailable = rates.unavailable_bp;
        let timeout = unavailable.saturating_add(rates.timeout_bp);
        let decline = timeout.saturating_add(rates.decline_bp);
        if draw < unavailable {
            ScriptedOutcome::Unavailable
        } else if draw < timeout {
            ScriptedOutcome::TimeoutAfterProcessing
        } else if draw < decline {
            ScriptedOutcome::Decline("card declined".to_owned())
        } else {
            ScriptedOutcome::Approve
        }
    }

    fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}_{:08}{:08x}", self.next_id, self.rng.u32(..))
    }

    fn refunded_of(&self, charge_id: &str) -> i64 {
        self.refunds
            .iter()
            .filter(|r| r.charge_id == charge_id)
            .map(|r| r.amount.minor)
            .sum()
    }
}

/// The simulated provider; share it through an `Arc` to script it from tests.
#[derive(Debug)]
pub struct SimulatedProvider {
    state: Mutex<State>,
    gate: Gate,
}

impl SimulatedProvider {
    /// A provider that approves everything (until scripted otherwise).
    pub fn new(seed: u64) -> Self {
        Self::with_rates(seed, FailureRates::NONE)
    }

    /// A provider failing at the given rates, reproducibly for a given seed.
    pub fn with_rates(seed: u64, rates: FailureRates) -> Self {
        Self {
            state: Mutex::new(State {
                rng: fastrand::Rng::with_seed(seed),
                rates,
                script: VecDeque::new(),
                charges: Vec::new(),
                charge_keys: HashMap::new(),
                refunds: Vec::new(),
                refund_keys: HashMap::new(),
                charge_calls: 0,
                refund_calls: 0,
                next_id: 0,
            }),
            gate: Gate::default(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().expect("simulated provider poisoned")
    }

    /// Queues outcomes for the next requests (charges and refunds alike), in order.
    pub fn script(&self, outcomes: impl IntoIterator<Item = ScriptedOutcome>) {
        self.state().script.extend(outcomes);
    }

    /// Stops answering: requests wait at the provider's door until [`Self::resume`].
    pub fn pause(&self) {
        self.gate.close();
    }

    /// Answers again, held requests first.
    pub fn resume(&self) {
        self.gate.open();
    }

    /// Requests waiting at the door while paused.
    pub fn waiting(&self) -> usize {
        self.gate.waiting()
    }

    /// Replaces the failure rates used once the script is empty.
    pub fn set_rates(&self, rates: FailureRates) {
        self.state().rates = rates;
    }

    /// Every distinct charge processed, in order (replays are not new charges).
    pub fn charges(&self) -> Vec<Charge> {
        self.state().charges.clone()
    }

    /// Charge requests received, replays and failures included.
    pub fn charge_calls(&self) -> u64 {
        self.state().charge_calls
    }

    /// Every distinct refund processed, in order.
    pub fn refunds(&self) -> Vec<RefundReceipt> {
        self.state().refunds.clone()
    }

    /// Refund requests received, replays and failures included.
    pub fn refund_calls(&self) -> u64 {
        self.state().refund_calls
    }

    /// Minor units charged to `customer` net of refunds.
    pub fn net_charged(&self, customer: &str) -> i64 {
        let state = self.state();
        state
            .charges
            .iter()
            .filter(|c| c.customer == customer)
            .map(|c| c.amount.minor - state.refunded_of(&c.id))
            .sum()
    }
}

#[async_trait]
impl PaymentProvider for SimulatedProvider {
    async fn charge(&self, request: &ChargeRequest) -> Result<Charge, PaymentError> {
        self.gate.pass().await;
        let outcome = self.process_charge(request);
        tokio::task::yield_now().await;
        outcome
    }

    async fn refund(&self, request: &RefundRequest) -> Result<RefundReceipt, PaymentError> {
        self.gate.pass().await;
        let outcome = self.process_refund(request);
        tokio::task::yield_now().await;
        outcome
    }
}

impl SimulatedProvider {
    fn process_charge(&self, request: &ChargeRequest) -> Result<Charge, PaymentError> {
        let mut state = self.state();
        state.charge_calls += 1;
        let outcome = state.next_outcome();
        if outcome == ScriptedOutcome::Unavailable {
            return Err(PaymentError::Unavailable("simulated outage".to_owned()));
        }
        if let Some(record) = state.charge_keys.get(&request.idempotency_key) {
            return match record {
                ChargeRecord::Charged(charge)
                    if charge.amount == request.amount && charge.customer == request.customer =>
                {
                    Ok(charge.clone())
                }
                ChargeRecord::Declined {
                    request: first,
                    reason,
                } if first == request => Err(PaymentError::Declined(reason.clone())),
                _ => Err(PaymentError::KeyReused(request.idempotency_key.clone())),
            };
        }
        if let ScriptedOutcome::Decline(reason) = outcome {
            state.charge_keys.insert(
                request.idempotency_key.clone(),
                ChargeRecord::Declined {
                    request: request.clone(),
                    reason: reason.clone(),
                },
            );
            return Err(PaymentError::Declined(reason));
        }
        let charge = Charge {
            id: state.new_id("ch"),
            idempotency_key: request.idempotency_key.clone(),
            customer: request.customer.clone(),
            amount: request.amount,
        };
        state.charges.push(charge.clone());
        state.charge_keys.insert(
            request.idempotency_key.clone(),
            ChargeRecord::Charged(charge.clone()),
        );
        if outcome == ScriptedOutcome::TimeoutAfterProcessing {
            return Err(PaymentError::Timeout);
        }
        Ok(charge)
    }

    fn process_refund(&self, request: &RefundRequest) -> Result<RefundReceipt, PaymentError> {
        let mut state = self.state();
        state.refund_calls += 1;
        let outcome = state.next_outcome();
        if outcome == ScriptedOutcome::Unavailable {
            return Err(PaymentError::Unavailable("simulated outage".to_owned()));
        }
        if let Some(receipt) = state.refund_keys.get(&request.idempotency_key) {
            return if receipt.charge_id == request.charge_id && receipt.amount == request.amount {
                Ok(receipt.clone())
            } else {
                Err(PaymentError::KeyReused(request.idempotency_key.clone()))
            };
        }
        if let ScriptedOutcome::Decline(reason) = outcome {
            return Err(PaymentError::Declined(reason));
        }
        let charge = state
            .charges
            .iter()
            .find(|c| c.id == request.charge_id)
            .cloned()
            .ok_or_else(|| PaymentError::UnknownCharge(request.charge_id.clone()))?;
        if request.amount.currency != charge.amount.currency
            || state.refunded_of(&charge.id) + request.amount.minor > charge.amount.minor
        {
            return Err(PaymentError::RefundExceedsCharge(charge.id));
        }
        let receipt = RefundReceipt {
            id: state.new_id("re"),
            charge_id: charge.id,
            idempotency_key: request.idempotency_key.clone(),
            amount: request.amount,
        };
        state.refunds.push(receipt.clone());
        state
            .refund_keys
            .insert(request.idempotency_key.clone(), receipt.clone());
        if outcome == ScriptedOutcome::TimeoutAfterProcessing {
            return Err(PaymentError::Timeout);
        }
        Ok(receipt)
    }
}
