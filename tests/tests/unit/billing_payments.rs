//! Billing's payment side without HTTP: the simulated provider's deduplication and
//! failure modes, the charger's keyed retries, settings validation, and the
//! mapping of billing errors to statuses that leak nothing internal.

use std::sync::Arc;
use std::time::Duration;

use mediaflow_billing::BillingError;
use mediaflow_billing::payments::{
    ChargeRequest, FailureRates, PaymentError, PaymentProvider, Payments, RefundRequest,
    ScriptedOutcome, SimulatedProvider,
};
use mediaflow_billing::settings::Settings;
use mediaflow_shared::config::Env;
use mediaflow_shared::money::{Currency, Money};
use mediaflow_shared::resilience::{Jitter, RetryPolicy};
use mediaflow_shared::store::StoreError;
use mediaflow_tests::support::fixtures::{jwt_settings, manual_clock};

fn charge(key: &str, minor: i64) -> ChargeRequest {
    ChargeRequest {
        idempotency_key: key.to_owned(),
        customer: "user-1".to_owned(),
        amount: Money::from_minor(minor, Currency::USD),
        description: "MediaFlow Basic plan".to_owned(),
    }
}

fn payments(provider: Arc<SimulatedProvider>, attempts: u32) -> Payments {
    let (_clock, shared) = manual_clock();
    let policy = RetryPolicy {
        max_attempts: attempts,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(1),
        multiplier: 2,
        jitter: Jitter::None,
    };
    Payments::new(provider, policy, Duration::from_secs(1), shared, 3)
}

#[tokio::test]
async fn the_provider_replays_a_charge_repeated_with_the_same_key() {
    let provider = SimulatedProvider::new(1);
    let first = provider.charge(&charge("k-1", 999)).await.expect("charged");
    let again = provider
        .charge(&charge("k-1", 999))
        .await
        .expect("replayed");
    assert_eq!(first, again, "the same key must return the first charge");
    assert_eq!(
        provider.charges().len(),
        1,
        "a replay is not a second charge"
    );
    assert_eq!(provider.charge_calls(), 2);
    let reused = provider.charge(&charge("k-1", 501)).await;
    assert_eq!(
        reused,
        Err(PaymentError::KeyReused("k-1".to_owned())),
        "a key reused for another amount is refused, not charged"
    );
}

#[tokio::test]
async fn a_timeout_after_processing_is_retried_with_the_same_key_and_charges_once() {
    let provider = Arc::new(SimulatedProvider::new(2));
    provider.script([ScriptedOutcome::TimeoutAfterProcessing]);
    let charged = payments(provider.clone(), 3)
        .charge(&charge("k-2", 1499))
        .await
        .expect("the retry succeeds");
    assert_eq!(
        provider.charge_calls(),
        2,
        "one timed-out attempt, one retry"
    );
    assert_eq!(
        provider.charges().len(),
        1,
        "the retry must return the charge the lost answer made, not make another"
    );
    assert_eq!(charged.amount.minor, 1499);
}

#[tokio::test]
async fn transient_failures_are_retried_up_to_the_attempt_limit_and_declines_never() {
    let provider = Arc::new(SimulatedProvider::new(3));
    provider.script(vec![ScriptedOutcome::Unavailable; 5]);
    let result = payments(provider.clone(), 3)
        .charge(&charge("k-3", 999))
        .await;
    assert!(
        matches!(result, Err(PaymentError::Unavailable(_))),
        "got {result:?}"
    );
    assert_eq!(provider.charge_calls(), 3, "three attempts, then give up");

    let provider = Arc::new(SimulatedProvider::new(3));
    provider.script([ScriptedOutcome::Decline("insufficient funds".to_owned())]);
    let result = payments(provider.clone(), 3)
        .charge(&charge("k-4", 999))
        .await;
    assert_eq!(
        result,
        Err(PaymentError::Declined("insufficient funds".to_owned()))
    );
    assert_eq!(
        provider.charge_calls(),
        1,
        "a decline is final: retrying it is pointless"
    );
}

#[tokio::test]
async fn the_provider_never_refunds_more_than_was_charged() {
    let provider = SimulatedProvider::new(4);
    let charged = provider
        .charge(&charge("k-5", 1000))
        .await
        .expect("charged");
    let refund = |key: &str, minor| RefundRequest {
        idempotency_key: key.to_owned(),
        charge_id: charged.id.clone(),
        amount: Money::from_minor(minor, Currency::USD),
    };
    provider
        .refund(&refund("r-1", 600))
        .await
        .expect("first refund");
    provider
        .refund(&refund("r-1", 600))
        .await
        .expect("replayed refund");
    assert_eq!(
        provider.refunds().len(),
        1,
        "a replayed refund is not a second refund"
    );
    let over = provider.refund(&refund("r-2", 401)).await;
    assert_eq!(
        over,
        Err(PaymentError::RefundExceedsCharge(charged.id.clone()))
    );
    provider
        .refund(&refund("r-3", 400))
        .await
        .expect("the exact remainder");
    assert_eq!(provider.net_charged("user-1"), 0);
}

#[tokio::test]
async fn failure_rates_are_reproducible_for_a_seed() {
    let rates = FailureRates {
        decline_bp: 2_000,
        timeout_bp: 1_000,
        unavailable_bp: 1_000,
    };
    let mut outcomes = Vec::new();
    for _ in 0..2 {
        let provider = SimulatedProvider::with_rates(42, rates);
        let mut run = Vec::new();
        for n in 0..40 {
            run.push(
                provider
                    .charge(&charge(&format!("k-{n}"), 100))
                    .await
                    .is_ok(),
            );
        }
        outcomes.push(run);
    }
    assert_eq!(
        outcomes[0], outcomes[1],
        "the same seed must fail the same requests"
    );
    let failures = outcomes[0].iter().filter(|ok| !**ok).count();
    assert!(
        (4..=30).contains(&failures),
        "about 40% should fail, got {failures} of 40"
    );
}

#[test]
fn settings_refuse_a_lock_that_lapses_before_the_slowest_charge() {
    let mut settings = Settings::new(jwt_settings());
    assert_eq!(
        settings.validate(),
        Ok(()),
        "production defaults are consistent"
    );
    settings.locks.ttl = Duration::from_secs(5);
    let (var, _, expected) = settings
        .validate()
        .expect_err("a 5 s lock cannot cover 3 attempts of 10 s");
    assert_eq!(var, "MEDIAFLOW_BILLING_LOCK_TTL");
    assert!(expected.contains("slowest charge"), "{expected}");
}

#[test]
fn settings_from_env_read_billing_variables_and_name_bad_ones() {
    let base = [("MEDIAFLOW_JWT_KEYS", "k1:0123456789abcdef0123456789abcdef")];
    let env = Env::from_pairs(
        base.iter()
            .copied()
            .chain([("MEDIAFLOW_BILLING_PAYMENT_ATTEMPTS", "5")]),
    );
    let settings = Settings::from_env(&env).expect("valid settings");
    assert_eq!(settings.payments.retry.max_attempts, 5);
    let env = Env::from_pairs(
        base.iter()
            .copied()
            .chain([("MEDIAFLOW_BILLING_PROVIDER_DECLINE_BP", "12000")]),
    );
    let error = Settings::from_env(&env)
        .expect_err("more than 100% is not a rate")
        .to_string();
    assert!(
        error.contains("MEDIAFLOW_BILLING_PROVIDER_DECLINE_BP"),
        "the error must name the variable: {error}"
    );
}

#[test]
fn errors_map_to_statuses_and_never_leak_internals() {
    let cases = [
        (
            BillingError::IdempotencyKeyMissing,
            400,
            "idempotency_key_required",
        ),
        (
            BillingError::IdempotencyKeyReused,
            422,
            "idempotency_key_reused",
        ),
        (
            BillingError::IdempotencyInProgress,
            409,
            "idempotency_in_progress",
        ),
        (
            BillingError::PaymentDeclined("card declined".to_owned()),
            402,
            "payment_declined",
        ),
        (BillingError::AccountBusy, 409, "account_busy"),
        (
            BillingError::Store(StoreError::Unavailable("10.0.3.7:5432 refused".to_owned())),
            503,
            "unavailable",
        ),
        (
            BillingError::Store(StoreError::Sql("near \"SELEC\": syntax error".to_owned())),
            500,
            "internal",
        ),
    ];
    for (error, status, code) in cases {
        let api = error.to_api_error();
        assert_eq!((api.status.as_u16(), api.code), (status, code), "{error}");
        assert!(
            !api.message.contains("10.0.3.7") && !api.message.contains("SELEC"),
            "the client must not see internal detail: {}",
            api.message
        );
    }
    assert!(
        BillingError::PaymentUnavailable("x".to_owned()).is_retryable(),
        "provider outages keep the key usable"
    );
    assert!(
        !BillingError::PaymentDeclined("x".to_owned()).is_retryable(),
        "a decline is the stored answer"
    );
}
