//! Billing's counted work: queries per request (plans, invoices, entitlements,
//! replays) stay fixed whatever the data size, a subscription commits in one
//! transaction, and provider calls are bounded by the retry policy and by due
//! subscriptions. The outbox relay's own statements are left out of the counts.

use std::sync::Arc;

use mediaflow_billing::{ScriptedOutcome, SimulatedProvider};
use mediaflow_tests::support::billing::{BillingHarness, day, infra, with_billing_store};
use mediaflow_tests::support::counting::CountingStore;

async fn counted() -> (BillingHarness, Arc<CountingStore>) {
    let (clock, infra) = infra();
    let counting = Arc::new(CountingStore::new(
        infra.database(mediaflow_billing::SERVICE),
    ));
    let infra = with_billing_store(&infra, counting.clone());
    (
        BillingHarness::start_on(clock, infra, SimulatedProvider::new(1)).await,
        counting,
    )
}

/// Statements of the request under test: the relay's outbox traffic runs in the
/// background at its own pace and is not the request's work.
fn request_statements(store: &CountingStore) -> Vec<String> {
    store
        .statements()
        .into_iter()
        .filter(|sql| !sql.contains("outbox"))
        .collect()
}

#[tokio::test]
async fn the_plan_list_costs_one_query() {
    let (billing, store) = counted().await;
    store.reset();
    assert_eq!(billing.get("/plans", None).await.status, 200);
    let statements = request_statements(&store);
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
    let with_one = request_statements(&store).len();
    for month in 2..=5 {
        billing.set_time(day(2026, month, 1));
        assert_eq!(billing.run_renewals().await.body["renewed"], 1);
    }
    store.reset();
    let listed = billing.invoices("alice").await;
    assert_eq!(listed.body["invoices"].as_array().map(Vec::len), Some(5));
    let with_five = request_statements(&store);
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
    let statements = request_statements(&store);
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
    let statements = request_statements(&store);
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
    let statements = request_statements(&store);
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
