//! The billing service over its database, bus, locks and simulated provider:
//! plans, subscribing, prorated plan changes, and the idempotency protocol of
//! charging requests (replay, mismatch, concurrent use of one key).

use mediaflow_billing::ScriptedOutcome;
use mediaflow_tests::support::billing::{BillingHarness, day};
use mediaflow_tests::support::events::EventProbe;
use mediaflow_tests::support::http::send;
use serde_json::json;

#[tokio::test]
async fn plans_are_seeded_with_integer_prices_in_usd_and_eur() {
    let billing = BillingHarness::start().await;
    let reply = billing.get("/plans", None).await;
    assert_eq!(reply.status, 200, "the plan list is public");
    let plans = reply.body["plans"].as_array().expect("a plan list");
    let summary: Vec<(String, Vec<(String, i64)>)> = plans
        .iter()
        .map(|p| {
            let prices = p["prices"]
                .as_array()
                .expect("prices")
                .iter()
                .map(|price| {
                    (
                        price["currency"].as_str().unwrap_or("").to_owned(),
                        price["amount_minor"].as_i64().unwrap_or(0),
                    )
                })
                .collect();
            (p["code"].as_str().unwrap_or("").to_owned(), prices)
        })
        .collect();
    let both = |minor| vec![("EUR".to_owned(), minor), ("USD".to_owned(), minor)];
    assert_eq!(
        summary,
        vec![
            ("basic".to_owned(), both(999)),
            ("premium".to_owned(), both(1499)),
            ("family".to_owned(), both(1999))
        ],
        "three plans, cheapest first, each priced in minor units in EUR and USD"
    );
}

#[tokio::test]
async fn subscribing_charges_the_first_period_and_activates_the_subscription() {
    let billing = BillingHarness::start().await;
    let body = billing.subscribed("alice", "basic", "USD").await;
    assert_eq!(body["subscription"]["status"], "active");
    assert_eq!(
        body["subscription"]["current_period_end"], "2026-02-01T00:00:00Z",
        "a monthly period from Jan 1"
    );
    assert_eq!(body["invoice"]["status"], "paid");
    assert_eq!(body["invoice"]["total_minor"], 999);
    let charges = billing.provider.charges();
    assert_eq!(charges.len(), 1, "one charge for the first period");
    assert_eq!(
        (charges[0].customer.as_str(), charges[0].amount.minor),
        ("alice", 999)
    );
    let me = billing.me("alice").await;
    assert_eq!(
        (me.status, me.body["subscription"]["plan"].clone()),
        (200, json!("basic"))
    );
    let again = billing.subscribe("alice", "family", "USD", "second").await;
    assert_eq!(
        (again.status, again.error_code()),
        (409, "already_subscribed"),
        "one live subscription per user"
    );
}

#[tokio::test]
async fn the_seed_upgrade_charges_two_fifty_with_lines_summing_to_the_total() {
    let billing = BillingHarness::start().await;
    billing.set_time(day(2026, 4, 1));
    billing.subscribed("bob", "basic", "USD").await;
    billing.set_time(day(2026, 4, 16) + chrono::TimeDelta::hours(10));
    let reply = billing.change("bob", "premium", "upgrade-1").await;
    assert_eq!(reply.status, 200, "the upgrade succeeds: {}", reply.body);
    let invoice = &reply.body["invoice"];
    assert_eq!(
        invoice["total_minor"], 250,
        "15 of 30 days: 7.50 for premium minus 5.00 credit for basic"
    );
    let lines: Vec<i64> = invoice["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| l["amount_minor"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(
        lines,
        vec![-500, 750],
        "a credit line and a charge line, each rounded once"
    );
    assert_eq!(
        lines.iter().sum::<i64>(),
        250,
        "the lines sum exactly to the total"
    );
    assert_eq!(
        billing.provider.charges().last().map(|c| c.amount.minor),
        Some(250),
        "the provider is charged the net"
    );
    assert_eq!(reply.body["subscription"]["plan"], "premium");
}

#[tokio::test]
async fn a_downgrade_becomes_account_credit_used_by_the_next_renewal() {
    let billing = BillingHarness::start().await;
    billing.set_time(day(2026, 4, 1));
    billing.subscribed("carol", "premium", "USD").await;
    billing.set_time(day(2026, 4, 16));
    let reply = billing.change("carol", "basic", "down-1").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        (
            reply.body["invoice"]["status"].clone(),
            reply.body["invoice"]["total_minor"].clone()
        ),
        (json!("credited"), json!(-250))
    );
    assert_eq!(
        reply.body["subscription"]["credit_minor"], 250,
        "the difference goes to the account"
    );
    assert_eq!(
        billing.provider.charges().len(),
        1,
        "a downgrade charges nothing"
    );
    billing.set_time(day(2026, 5, 1));
    let run = billing.run_renewals().await;
    assert_eq!(run.body["renewed"], 1, "{}", run.body);
    assert_eq!(
        billing.provider.charges().last().map(|c| c.amount.minor),
        Some(749),
        "9.99 minus the 2.50 credit"
    );
    assert_eq!(
        billing.me("carol").await.body["subscription"]["credit_minor"],
        0,
        "the credit is used up"
    );
}

#[tokio::test]
async fn the_same_key_and_body_replays_the_stored_response_without_charging() {
    let billing = BillingHarness::start().await;
    let first = billing.subscribe("dave", "premium", "EUR", "key-1").await;
    let second = billing.subscribe("dave", "premium", "EUR", "key-1").await;
    assert_eq!(
        (first.status, second.status),
        (201, 201),
        "a replay answers like the original"
    );
    assert_eq!(
        first.body, second.body,
        "the stored response comes back unchanged"
    );
    assert_eq!(second.header("idempotent-replayed"), "true");
    assert_eq!(
        billing.provider.charge_calls(),
        1,
        "a replay never reaches the provider"
    );
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused() {
    let billing = BillingHarness::start().await;
    assert_eq!(
        billing
            .subscribe("erin", "basic", "USD", "key-2")
            .await
            .status,
        201
    );
    let reuse = billing.subscribe("erin", "family", "USD", "key-2").await;
    assert_eq!(
        (reuse.status, reuse.error_code()),
        (422, "idempotency_key_reused")
    );
    let elsewhere = billing.change("erin", "family", "key-2").await;
    assert_eq!(elsewhere.status, 422, "a key is bound to its endpoint too");
    assert_eq!(billing.provider.charges().len(), 1);
}

#[tokio::test]
async fn a_declined_payment_is_the_stored_answer_for_its_key() {
    let billing = BillingHarness::start().await;
    billing
        .provider
        .script([ScriptedOutcome::Decline("insufficient funds".to_owned())]);
    let declined = billing.subscribe("fay", "basic", "USD", "key-3").await;
    assert_eq!(
        (declined.status, declined.error_code()),
        (402, "payment_declined")
    );
    let replay = billing.subscribe("fay", "basic", "USD", "key-3").await;
    assert_eq!(
        (replay.status, replay.body.clone()),
        (402, declined.body.clone()),
        "same key, same answer"
    );
    assert_eq!(billing.provider.charge_calls(), 1);
    assert_eq!(
        billing.me("fay").await.status,
        404,
        "no subscription after a declined first payment"
    );
    assert_eq!(
        billing
            .subscribe("fay", "basic", "USD", "key-4")
            .await
            .status,
        201,
        "a new key is a new attempt"
    );
}

#[tokio::test]
async fn a_retry_with_the_same_key_after_a_lost_charge_answer_gets_that_charge_back() {
    let billing = BillingHarness::start().await;
    billing.provider.script([
        ScriptedOutcome::TimeoutAfterProcessing,
        ScriptedOutcome::Unavailable,
        ScriptedOutcome::Unavailable,
    ]);
    let lost = billing.subscribe("ivy", "premium", "USD", "key-5").await;
    assert_eq!(
        (lost.status, lost.error_code()),
        (503, "payment_unavailable"),
        "{}",
        lost.body
    );
    assert_eq!(
        billing.provider.charges().len(),
        1,
        "the provider charged before its answer was lost"
    );
    let retry = billing.subscribe("ivy", "premium", "USD", "key-5").await;
    assert_eq!(retry.status, 201, "{}", retry.body);
    assert_eq!(
        billing.provider.charges().len(),
        1,
        "the retry must get the lost charge back from the provider, not charge the customer again"
    );
    assert_eq!(
        retry.body["invoice"]["charge_id"],
        billing.provider.charges()[0].id.as_str(),
        "the invoice names the one charge"
    );
    assert_eq!(billing.provider.net_charged("ivy"), 1499);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_charge_exactly_once() {
    let billing = BillingHarness::start().await;
    let token = billing.viewer("gus");
    let body = json!({ "plan": "family", "currency": "USD" });
    let replies = billing
        .race_at_provider(vec![
            billing.request("/subscriptions", &token, Some("same-key"), &body),
            billing.request("/subscriptions", &token, Some("same-key"), &body),
        ])
        .await;
    let mut outcomes: Vec<(u16, &str)> =
        replies.iter().map(|r| (r.status, r.error_code())).collect();
    outcomes.sort_unstable();
    assert_eq!(
        outcomes,
        vec![(201, ""), (409, "idempotency_in_progress")],
        "while the first request is charging, the second is told it is in progress"
    );
    assert_eq!(
        billing.provider.charge_calls(),
        1,
        "one key, one charge attempt"
    );
    let replay = billing.subscribe("gus", "family", "USD", "same-key").await;
    assert_eq!(
        (replay.status, replay.header("idempotent-replayed")),
        (201, "true"),
        "once done, the key replays"
    );
}

#[tokio::test]
async fn two_concurrent_upgrades_charge_once() {
    let billing = BillingHarness::start().await;
    billing.subscribed("hal", "basic", "USD").await;
    let token = billing.viewer("hal");
    let body = json!({ "plan": "premium" });
    let replies = billing
        .race_at_provider(vec![
            billing.request("/subscriptions/me/change", &token, Some("up-a"), &body),
            billing.request("/subscriptions/me/change", &token, Some("up-b"), &body),
        ])
        .await;
    let mut statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        vec![200, 409],
        "one upgrade goes through, the other waits for the account lock and is refused"
    );
    assert_eq!(
        billing.provider.charges().len(),
        2,
        "the first period and a single upgrade: never two upgrade charges"
    );
    let invoices = billing.invoices("hal").await;
    assert_eq!(invoices.body["invoices"].as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn subscribing_publishes_subscription_changed_and_invoice_paid_with_the_request_id() {
    let billing = BillingHarness::start().await;
    let mut probe = EventProbe::bind(
        billing.infra.bus.as_ref(),
        "test.billing.events",
        "billing.#",
    )
    .await;
    let request = billing
        .http
        .post(billing.url("/subscriptions"))
        .bearer_auth(billing.viewer("ivy"))
        .header("Idempotency-Key", "evt-1")
        .header("x-request-id", "req-ivy-1")
        .json(&json!({ "plan": "premium", "currency": "USD" }));
    assert_eq!(send(request).await.status, 201);
    let events = probe.take(2).await;
    let keys: Vec<&str> = events.iter().map(|(key, _)| key.as_str()).collect();
    assert_eq!(
        keys,
        vec!["billing.subscription.changed", "billing.invoice.paid"],
        "state first, then payment"
    );
    let (_, changed) = &events[0];
    assert_eq!(changed.event_type, "SubscriptionChanged");
    assert_eq!(
        changed.sequence, 1,
        "the first event of the subscription aggregate"
    );
    assert_eq!(
        changed.correlation_id, "req-ivy-1",
        "events carry the request id that caused them"
    );
    assert_eq!(changed.payload["reason"], "subscribed");
    assert_eq!(events[1].1.payload["paid_minor"], 1499);
}
