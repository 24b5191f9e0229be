//! Billing's counted work: queries per request (plans, invoices, entitlements,
//! replays) stay fixed whatever the data size, a subscription commits in one
//! transaction, and provider calls are bounded by the retry policy and by due
//! subscriptions. The outbox relay's own statements are left out of the counts.

use std::sync::Arc;

use mediaflow_billing::{ScriptedOutcome, SimulatedProvider};
use mediaflow_tests::support::billing::{BillingHarness, day};
use mediaflow_tests::support::counting::CountingStore;
use mediaflow_tests::support::databases::wrap_store;
use mediaflow_tests::support::fixtures::infra;

async fn counted() -> (BillingHarness, Arc<CountingStore>) {
    let (clock, infra) = infra();
    let (infra, counting) = wrap_store(&infra, mediaflow_billing::SERVICE, CountingStore::new);
    (
        BillingHarness::start_on(clock, infra, SimulatedProvider::new(1)).await,
        counting,
    )
}

#[tokio::test]
async fn the_plan_list_costs_one_query() {
    let (billing, store) = counted().await;
    store.reset();
    assert_eq!(billing.get("/plans", None).await.status, 200);
    let statements = store.request_statements();
    assert_eq!(
        statements.len(),
        1,
        "plans and their prices come from one join, not one query per plan: {statements:#?}"
    );
}

#[tokio::test]
async fn listing_invoices_costs_two_queries_whatever_their_number() {
    let (billing, store) = counted().await;
    billing.subscribed("alice", "basic", "USD").await;
    store.reset();
    assert_eq!(
        billing.invoices("alice").await.body["invoices"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let with_one = store.request_statements().len();
    for month in 2..=5 {
        billing.set_time(day(2026, month, 1));
        assert_eq!(billing.run_renewals().await.body["renewed"], 1);
    }
    store.reset();
    let listed = billing.invoices("alice").await;
    assert_eq!(listed.body["invoices"].as_array().map(Vec::len), Some(5));
    let with_five = store.request_statements();
    assert_eq!(
        (with_one, with_five.len()),
        (2, 2),
        "invoices, then all their lines at once (no N+1): {with_five:#?}"
    );
}

#[tokio::test]
async fn a_subscription_commits_in_one_transaction_with_bounded_statements() {
    let (billing, store) = counted().await;
    store.reset();
    billing.subscribed("bob", "premium", "USD").await;
    assert_eq!(
        store.counts().transactions,
        1,
        "subscription, invoice, events and stored response commit together"
    );
    let statements = store.request_statements();
    assert!(
        statements.len() <= 10,
        "subscribing should take a handful of statements, took {}: {statements:#?}",
        statements.len()
    );
    assert_eq!(
        store.statements_containing("INSERT INTO invoice_lines"),
        1,
        "one line for a first period"
    );
}

#[tokio::test]
async fn a_replayed_request_costs_two_statements_and_no_provider_call() {
    let (billing, store) = counted().await;
    assert_eq!(
        billing
            .subscribe("carol", "family", "USD", "k-1")
            .await
            .status,
        201
    );
    store.reset();
    let replay = billing.subscribe("carol", "family", "USD", "k-1").await;
    assert_eq!(replay.header("idempotent-replayed"), "true");
    let statements = store.request_statements();
    assert_eq!(
        statements.len(),
        2,
        "a claim attempt and the stored response, nothing else: {statements:#?}"
    );
    assert_eq!(store.counts().transactions, 0);
    assert_eq!(
        billing.provider.charge_calls(),
        1,
        "the provider is not asked again"
    );
}

#[tokio::test]
async fn an_entitlement_check_costs_two_queries() {
    let (billing, store) = counted().await;
    billing.subscribed("dave", "premium", "USD").await;
    store.reset();
    assert_eq!(billing.entitlement("dave").await.body["entitled"], true);
    let statements = store.request_statements();
    assert_eq!(
        statements.len(),
        2,
        "the subscription and its plan: {statements:#?}"
    );
}

#[tokio::test]
async fn provider_calls_are_bounded_by_the_retry_policy_and_by_due_subscriptions() {
    let (billing, _store) = counted().await;
    billing
        .provider
        .script(vec![ScriptedOutcome::Unavailable; 3]);
    assert_eq!(
        billing
            .subscribe("erin", "basic", "USD", "k-2")
            .await
            .status,
        503
    );
    assert_eq!(
        billing.provider.charge_calls(),
        3,
        "three attempts at most per charge, never a retry storm"
    );
    billing.set_time(day(2026, 1, 2));
    for user in ["u1", "u2", "u3", "u4"] {
        billing.subscribed(user, "basic", "USD").await;
    }
    let before = billing.provider.charge_calls();
    billing.set_time(day(2026, 2, 2));
    assert_eq!(billing.run_renewals().await.body["renewed"], 4);
    assert_eq!(
        billing.provider.charge_calls() - before,
        4,
        "one charge per due subscription"
    );
    assert_eq!(billing.run_renewals().await.body["renewed"], 0);
    assert_eq!(
        billing.provider.charge_calls() - before,
        4,
        "a second run charges nothing"
    );
}
