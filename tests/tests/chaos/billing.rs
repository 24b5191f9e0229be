//! Billing under faults: commits failing after a charge (compensated, or reused
//! by the retry), provider timeouts and outages, a failing bus behind the outbox,
//! skewed clocks on a second instance, and a writer whose lock lapsed.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use mediaflow_billing::store::Db;
use mediaflow_billing::store::subscriptions;
use mediaflow_billing::{BillingError, ScriptedOutcome, SimulatedProvider};
use mediaflow_shared::auth::{Claims, Role, TokenType};
use mediaflow_shared::chaos::{BusFault, ChaosBus, ChaosStore, SkewedClock};
use mediaflow_shared::clock::{Clock, SharedClock};
use mediaflow_tests::support::billing::{BillingHarness, day, settings};
use mediaflow_tests::support::databases::wrap_store;
use mediaflow_tests::support::events::EventProbe;
use mediaflow_tests::support::fixtures::{infra, sign};
use serde_json::json;

/// A harness whose billing database fails on demand.
async fn with_chaos_store() -> (BillingHarness, Arc<ChaosStore>) {
    let (clock, infra) = infra();
    let (infra, chaos) = wrap_store(&infra, mediaflow_billing::SERVICE, ChaosStore::new);
    (
        BillingHarness::start_on(clock, infra, SimulatedProvider::new(5)).await,
        chaos,
    )
}

#[tokio::test]
async fn a_commit_failing_after_the_charge_refunds_it_and_the_retry_charges_once_net() {
    let (billing, store) = with_chaos_store().await;
    store.fail_next_commits(1);
    let failed = billing.subscribe("alice", "premium", "USD", "k-1").await;
    assert_eq!(
        (failed.status, failed.error_code()),
        (503, "unavailable"),
        "{}",
        failed.body
    );
    assert_eq!(
        billing.provider.refunds().len(),
        1,
        "the charge whose recording failed is refunded at once"
    );
    assert_eq!(
        billing.me("alice").await.status,
        404,
        "nothing was recorded"
    );
    let retry = billing.subscribe("alice", "premium", "USD", "k-1").await;
    assert_eq!(
        retry.status, 201,
        "the same key works again after a transient failure: {}",
        retry.body
    );
    assert_eq!(
        billing.provider.net_charged("alice"),
        1499,
        "the customer pays once in the end"
    );
    assert_eq!(
        retry.body["invoice"]["charge_id"],
        billing.provider.charges()[1].id.as_str(),
        "the invoice names the live charge"
    );
}

#[tokio::test]
async fn when_compensation_fails_too_the_retry_reuses_the_original_charge() {
    let (billing, store) = with_chaos_store().await;
    store.fail_next_commits(1);
    billing.provider.script([
        ScriptedOutcome::Approve,
        ScriptedOutcome::Unavailable,
        ScriptedOutcome::Unavailable,
        ScriptedOutcome::Unavailable,
    ]);
    assert_eq!(
        billing.subscribe("bob", "basic", "USD", "k-2").await.status,
        503
    );
    assert!(
        billing.provider.refunds().is_empty(),
        "the provider refused the compensating refund"
    );
    let retry = billing.subscribe("bob", "basic", "USD", "k-2").await;
    assert_eq!(retry.status, 201);
    assert_eq!(
        billing.provider.charges().len(),
        1,
        "the retry must get the first charge back from the provider, not a second one"
    );
    assert_eq!(
        retry.body["invoice"]["charge_id"],
        billing.provider.charges()[0].id.as_str()
    );
}

#[tokio::test]
async fn a_provider_timeout_after_charging_is_retried_without_a_second_charge() {
    let billing = BillingHarness::start().await;
    billing
        .provider
        .script([ScriptedOutcome::TimeoutAfterProcessing]);
    let reply = billing.subscribe("carol", "family", "EUR", "k-3").await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(
        billing.provider.charge_calls(),
        2,
        "the lost answer is retried"
    );
    assert_eq!(
        billing.provider.charges().len(),
        1,
        "with the same provider key, so it is charged once"
    );
    assert_eq!(
        billing.clock.sleeps(),
        vec![Duration::from_millis(100)],
        "one backoff before the retry, on the injected clock"
    );
}

#[tokio::test]
async fn a_provider_outage_answers_503_and_the_same_key_succeeds_after_recovery() {
    let billing = BillingHarness::start().await;
    billing
        .provider
        .script(vec![ScriptedOutcome::Unavailable; 3]);
    let outage = billing.subscribe("dave", "basic", "USD", "k-4").await;
    assert_eq!(
        (outage.status, outage.error_code()),
        (503, "payment_unavailable")
    );
    assert_eq!(
        outage.header("retry-after"),
        "1",
        "the client is told to retry"
    );
    let recovered = billing.subscribe("dave", "basic", "USD", "k-4").await;
    assert_eq!(
        recovered.status, 201,
        "the key was reopened, not poisoned by the outage"
    );
    assert_eq!(billing.provider.charges().len(), 1);
}

#[tokio::test]
async fn a_renewal_whose_answer_was_lost_is_collected_by_the_next_run_without_a_second_charge() {
    let billing = BillingHarness::start().await;
    billing.subscribed("hugo", "premium", "USD").await;
    billing.provider.script([
        ScriptedOutcome::TimeoutAfterProcessing,
        ScriptedOutcome::Unavailable,
        ScriptedOutcome::Unavailable,
    ]);
    billing.set_time(day(2026, 2, 1));
    let first = billing.run_renewals().await;
    assert_eq!(
        (first.body["renewed"].clone(), first.body["skipped"].clone()),
        (json!(0), json!(1)),
        "{}",
        first.body
    );
    assert_eq!(
        billing.provider.charges().len(),
        2,
        "the provider charged before its answer was lost"
    );
    billing.set_time(day(2026, 2, 1) + TimeDelta::hours(6));
    let second = billing.run_renewals().await;
    assert_eq!(second.body["renewed"], 1, "{}", second.body);
    assert_eq!(
        billing.provider.charges().len(),
        2,
        "the next run must get the same charge back, keyed by period, not charge again"
    );
    assert_eq!(
        billing.invoices("hugo").await.body["invoices"][0]["charge_id"],
        billing.provider.charges()[1].id.as_str()
    );
}

#[tokio::test]
async fn events_wait_in_the_outbox_while_the_bus_fails() {
    let (clock, infra) = infra();
    let chaos = Arc::new(ChaosBus::new(infra.bus.clone(), 3));
    let infra = infra.with_bus(chaos.clone());
    let mut settings = settings(Arc::new(SimulatedProvider::new(3)));
    settings.relay.tick = Duration::from_millis(20);
    let billing = BillingHarness::start_with(clock, infra, settings).await;
    let mut probe = EventProbe::bind(
        billing.infra.bus.as_ref(),
        "test.billing.chaos",
        "billing.#",
    )
    .await;
    chaos.inject(BusFault::FailNext(3));
    assert_eq!(
        billing.subscribed("erin", "basic", "USD").await["subscription"]["status"],
        "active",
        "a bus outage does not fail the request"
    );
    let events = probe.take(2).await;
    assert_eq!(
        events[0].1.event_type, "SubscriptionChanged",
        "the relay retries and keeps the order"
    );
    assert_eq!(events[1].1.event_type, "InvoicePaid");
    assert_eq!(chaos.stats().failed, 3);
}

/// A token valid two hours either side of `now`, so instances with skewed clocks
/// all accept it.
fn wide_token(now: chrono::DateTime<chrono::Utc>, user: &str) -> String {
    let now = now.timestamp();
    sign(&Claims {
        sub: user.into(),
        iss: "mediaflow-auth".into(),
        aud: "mediaflow".into(),
        exp: now + 7200,
        nbf: now - 7200,
        iat: now,
        jti: format!("wide-{user}"),
        typ: TokenType::Access,
        roles: vec![Role::Viewer],
        fam: None,
    })
}

#[tokio::test]
async fn an_instance_with_a_clock_an_hour_ahead_cannot_double_charge_an_upgrade() {
    let (clock, base) = infra();
    let provider = Arc::new(SimulatedProvider::new(9));
    let a =
        BillingHarness::start_with(clock.clone(), base.clone(), settings(provider.clone())).await;
    let skewed: SharedClock = Arc::new(SkewedClock::new(base.clock.clone(), TimeDelta::hours(1)));
    let b = BillingHarness::start_with(
        clock.clone(),
        base.clone().with_clock(skewed),
        settings(provider.clone()),
    )
    .await;
    a.subscribed("fay", "basic", "USD").await;
    let token = wide_token(clock.now(), "fay");
    let body = json!({ "plan": "premium" });
    let replies = a
        .race_at_provider(vec![
            a.request("/subscriptions/me/change", &token, Some("up-a"), &body),
            b.request("/subscriptions/me/change", &token, Some("up-b"), &body),
        ])
        .await;
    let mut statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        vec![200, 409],
        "one instance upgrades, the other is refused: {replies:?}"
    );
    assert_eq!(
        provider.charges().len(),
        2,
        "the first period and one upgrade, whichever instance's clock is wrong"
    );
}

#[tokio::test]
async fn a_writer_whose_lock_lapsed_is_fenced_off_by_the_subscription_row() {
    let billing = BillingHarness::start().await;
    billing.subscribed("gus", "basic", "USD").await;
    let store = billing.infra.database(mediaflow_billing::SERVICE);
    let locks = billing.infra.locks.clone();
    let stale = locks
        .try_acquire(
            "billing:account:gus",
            "paused-writer",
            Duration::from_secs(1),
        )
        .await
        .expect("lock")
        .expect("free");
    billing.clock.advance(Duration::from_secs(2));
    let fresh = locks
        .try_acquire(
            "billing:account:gus",
            "next-writer",
            Duration::from_secs(30),
        )
        .await
        .expect("lock")
        .expect("lapsed");
    let mut current = subscriptions::latest_for_user(&mut Db::Store(store.as_ref()), "gus")
        .await
        .expect("read")
        .expect("subscribed");
    current.credit.minor = 100;
    subscriptions::update(&mut Db::Store(store.as_ref()), &current, fresh.token)
        .await
        .expect("the current holder writes");
    current.credit.minor = 999_999;
    let late = subscriptions::update(&mut Db::Store(store.as_ref()), &current, stale.token).await;
    assert!(
        matches!(late, Err(BillingError::LeaseLost)),
        "a writer with an older fencing token must be refused, got {late:?}"
    );
    assert_eq!(
        billing.me("gus").await.body["subscription"]["credit_minor"],
        100,
        "the newer write stands"
    );
}
