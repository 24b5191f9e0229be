//! The billing service over time: cancellation at period end, renewals with
//! their charges and declines, entitlements as they change, and refunds bounded
//! by the charge.

use mediaflow_billing::ScriptedOutcome;
use mediaflow_tests::support::billing::{BillingHarness, day};
use serde_json::json;

#[tokio::test]
async fn canceling_keeps_access_until_the_period_ends_then_the_renewal_run_ends_it() {
    let billing = BillingHarness::start().await;
    billing.subscribed("alice", "family", "USD").await;
    billing.set_time(day(2026, 1, 10));
    let canceled = billing.cancel("alice").await;
    assert_eq!(canceled.status, 200);
    assert_eq!(canceled.body["subscription"]["status"], "canceling");
    assert_eq!(canceled.body["subscription"]["cancel_at_period_end"], true);
    let during = billing.entitlement("alice").await;
    assert_eq!(
        during.body["entitled"], true,
        "canceling must not revoke access before the period ends"
    );
    assert_eq!(
        during.body["max_resolution"], "3840x2160",
        "the family plan's quality is kept until then"
    );
    assert_eq!(
        billing.cancel("alice").await.status,
        200,
        "canceling twice is harmless"
    );

    billing.set_time(day(2026, 2, 1));
    assert_eq!(
        billing.entitlement("alice").await.body["entitled"],
        false,
        "access ends with the paid period"
    );
    let run = billing.run_renewals().await;
    assert_eq!(
        (run.body["expired"].clone(), run.body["renewed"].clone()),
        (1.into(), 0.into()),
        "{}",
        run.body
    );
    assert_eq!(
        billing.me("alice").await.body["subscription"]["status"],
        "canceled"
    );
    assert_eq!(
        billing.provider.charges().len(),
        1,
        "a canceled subscription is never charged again"
    );
}

#[tokio::test]
async fn the_renewal_run_charges_due_subscriptions_for_the_next_period() {
    let billing = BillingHarness::start().await;
    billing.subscribed("bob", "premium", "EUR").await;
    billing.set_time(day(2026, 1, 31));
    assert_eq!(
        billing.run_renewals().await.body["renewed"],
        0,
        "nothing is due before the period ends"
    );
    billing.set_time(day(2026, 2, 1));
    let run = billing.run_renewals().await;
    assert_eq!(run.status, 200);
    assert_eq!(run.body["renewed"], 1);
    let me = billing.me("bob").await;
    assert_eq!(
        me.body["subscription"]["current_period_start"],
        "2026-02-01T00:00:00Z"
    );
    assert_eq!(
        me.body["subscription"]["current_period_end"], "2026-03-01T00:00:00Z",
        "February's 28 days"
    );
    let invoices = billing.invoices("bob").await;
    let newest = &invoices.body["invoices"][0];
    assert_eq!(
        (
            newest["kind"].clone(),
            newest["total_minor"].clone(),
            newest["currency"].clone()
        ),
        ("renewal".into(), 1499.into(), "EUR".into())
    );
    assert_eq!(
        billing.run_renewals().await.body["renewed"],
        0,
        "a renewed subscription is not due again"
    );
    assert_eq!(billing.provider.charges().len(), 2);
}

#[tokio::test]
async fn a_declined_renewal_revokes_access_until_a_later_run_collects() {
    let billing = BillingHarness::start().await;
    billing.subscribed("carol", "basic", "USD").await;
    billing
        .provider
        .script([ScriptedOutcome::Decline("card expired".to_owned())]);
    billing.set_time(day(2026, 2, 1));
    let run = billing.run_renewals().await;
    assert_eq!(run.body["past_due"], 1, "{}", run.body);
    let entitlement = billing.entitlement("carol").await;
    assert_eq!(
        (
            entitlement.body["status"].clone(),
            entitlement.body["entitled"].clone()
        ),
        ("past_due".into(), false.into())
    );
    assert_eq!(
        billing.invoices("carol").await.body["invoices"][0]["status"],
        "failed",
        "the declined invoice is kept"
    );

    billing.set_time(day(2026, 2, 2));
    let retry = billing.run_renewals().await;
    assert_eq!(
        retry.body["renewed"], 1,
        "the next run retries the charge with a new attempt key"
    );
    assert_eq!(billing.entitlement("carol").await.body["entitled"], true);
    assert_eq!(
        billing.provider.charges().len(),
        2,
        "the first period and the collected renewal"
    );
}

#[tokio::test]
async fn repeated_declines_cancel_the_subscription() {
    let billing = BillingHarness::start().await;
    billing.subscribed("dave", "basic", "USD").await;
    billing.provider.script(vec![
        ScriptedOutcome::Decline("do not honour".to_owned());
        3
    ]);
    billing.set_time(day(2026, 2, 1));
    let mut reports = Vec::new();
    for _ in 0..3 {
        reports.push((
            billing.run_renewals().await.body["past_due"].clone(),
            billing.me("dave").await.body["subscription"]["status"].clone(),
        ));
    }
    assert_eq!(reports[1].1, "past_due", "still retried after two declines");
    assert_eq!(
        reports[2].1, "canceled",
        "the third decline in a row ends the subscription"
    );
}

#[tokio::test]
async fn entitlements_follow_the_plan() {
    let billing = BillingHarness::start().await;
    let none = billing.entitlement("erin").await;
    assert_eq!(
        (
            none.status,
            none.body["entitled"].clone(),
            none.body["plan"].clone()
        ),
        (200, false.into(), serde_json::Value::Null)
    );
    billing.subscribed("erin", "basic", "USD").await;
    let basic = billing.entitlement("erin").await;
    assert_eq!(
        (
            basic.body["max_resolution"].clone(),
            basic.body["max_streams"].clone()
        ),
        ("1280x720".into(), 1.into())
    );
    assert_eq!(billing.change("erin", "premium", "up").await.status, 200);
    let premium = billing.entitlement("erin").await;
    assert_eq!(
        (
            premium.body["plan"].clone(),
            premium.body["max_resolution"].clone()
        ),
        ("premium".into(), "1920x1080".into())
    );
}

#[tokio::test]
async fn refunds_add_up_to_the_charge_and_never_beyond() {
    let billing = BillingHarness::start().await;
    let body = billing.subscribed("fay", "premium", "USD").await;
    let invoice = body["invoice"]["id"]
        .as_str()
        .expect("invoice id")
        .to_owned();
    let first = billing.refund(&invoice, 1000, "r-1").await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(
        (
            first.body["refund"]["status"].clone(),
            first.body["invoice"]["status"].clone()
        ),
        ("succeeded".into(), "partially_refunded".into())
    );
    let over = billing.refund(&invoice, 500, "r-2").await;
    assert_eq!(
        (over.status, over.error_code()),
        (422, "refund_exceeds_charge"),
        "only 4.99 is left of 14.99"
    );
    let rest = billing.refund(&invoice, 499, "r-3").await;
    assert_eq!(
        (rest.status, rest.body["invoice"]["status"].clone()),
        (201, "refunded".into())
    );
    assert_eq!(
        billing.refund(&invoice, 1, "r-4").await.status,
        409,
        "a fully refunded invoice has nothing left"
    );
    assert_eq!(
        billing.provider.net_charged("fay"),
        0,
        "the customer got everything back, not more"
    );
}

#[tokio::test]
async fn concurrent_refunds_never_exceed_the_charge() {
    let billing = BillingHarness::start().await;
    let body = billing.subscribed("gus", "basic", "USD").await;
    let invoice = body["invoice"]["id"]
        .as_str()
        .expect("invoice id")
        .to_owned();
    let admin = billing.admin();
    let path = format!("/invoices/{invoice}/refunds");
    let refund = |key| billing.request(&path, &admin, Some(key), &json!({ "amount_minor": 400 }));
    let replies = billing
        .race_at_provider(vec![refund("c-1"), refund("c-2"), refund("c-3")])
        .await;
    let mut statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        vec![201, 201, 422],
        "two refunds of 4.00 fit in 9.99; the third is refused while the others are in flight"
    );
    assert_eq!(
        billing
            .provider
            .refunds()
            .iter()
            .map(|r| r.amount.minor)
            .sum::<i64>(),
        800
    );
}
