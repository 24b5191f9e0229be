//! Billing's public shapes, field by field: the plan list, subscription and
//! invoice responses, refunds, entitlements, the renewal report, error bodies,
//! request bodies, and the payloads and envelopes of its three events. A renamed,
//! added or dropped field fails here.

use mediaflow_tests::support::billing::BillingHarness;
use mediaflow_tests::support::events::EventProbe;
use serde_json::{Value, json};

/// The sorted field names of a JSON object.
fn fields(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

fn sorted(names: &[&str]) -> Vec<String> {
    let mut names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    names.sort();
    names
}

const SUBSCRIPTION_FIELDS: &[&str] = &[
    "id",
    "user_id",
    "plan",
    "status",
    "currency",
    "current_period_start",
    "current_period_end",
    "cancel_at_period_end",
    "credit_minor",
    "created_at",
    "canceled_at",
    "ended_at",
];

const INVOICE_FIELDS: &[&str] = &[
    "id",
    "number",
    "user_id",
    "subscription_id",
    "kind",
    "status",
    "currency",
    "total_minor",
    "paid_minor",
    "refunded_minor",
    "charge_id",
    "period_start",
    "period_end",
    "created_at",
    "paid_at",
    "failure_reason",
    "lines",
];

const LINE_FIELDS: &[&str] = &[
    "kind",
    "description",
    "plan",
    "days",
    "period_days",
    "amount_minor",
];

#[tokio::test]
async fn the_plan_list_has_exactly_its_documented_fields() {
    let billing = BillingHarness::start().await;
    let body = billing.get("/plans", None).await.body;
    assert_eq!(fields(&body), sorted(&["plans"]));
    let basic = &body["plans"][0];
    assert_eq!(
        fields(basic),
        sorted(&["code", "name", "max_resolution", "max_streams", "prices"])
    );
    assert_eq!(
        basic["prices"][1],
        json!({ "currency": "USD", "amount_minor": 999, "display": "9.99 USD" }),
        "a price is its currency, integer minor units and a display string"
    );
    assert_eq!(
        (
            basic["max_resolution"].clone(),
            basic["max_streams"].clone()
        ),
        (json!("1280x720"), json!(1))
    );
}

#[tokio::test]
async fn a_subscription_response_carries_the_subscription_and_its_invoice() {
    let billing = BillingHarness::start().await;
    let body = billing.subscribed("alice", "basic", "USD").await;
    assert_eq!(fields(&body), sorted(&["subscription", "invoice"]));
    assert_eq!(fields(&body["subscription"]), sorted(SUBSCRIPTION_FIELDS));
    assert_eq!(fields(&body["invoice"]), sorted(INVOICE_FIELDS));
    assert_eq!(fields(&body["invoice"]["lines"][0]), sorted(LINE_FIELDS));
    assert_eq!(
        body["invoice"]["number"], "INV-000001",
        "invoice numbers are sequential and zero-padded"
    );
    assert_eq!(body["invoice"]["lines"][0]["kind"], "plan");
    assert_eq!(
        body["subscription"]["created_at"], "2026-01-01T00:00:00Z",
        "timestamps are RFC 3339 in UTC"
    );
    let me = billing.me("alice").await.body;
    assert_eq!(
        me["subscription"], body["subscription"],
        "GET /subscriptions/me returns the same shape"
    );
}

#[tokio::test]
async fn refund_entitlement_and_renewal_report_shapes_are_stable() {
    let billing = BillingHarness::start().await;
    let body = billing.subscribed("bob", "premium", "USD").await;
    let invoice = body["invoice"]["id"]
        .as_str()
        .expect("invoice id")
        .to_owned();
    let refund = billing.refund(&invoice, 100, "ref-1").await.body;
    assert_eq!(fields(&refund), sorted(&["refund", "invoice"]));
    assert_eq!(
        fields(&refund["refund"]),
        sorted(&[
            "id",
            "invoice_id",
            "status",
            "currency",
            "amount_minor",
            "provider_refund_id",
            "created_at",
            "completed_at"
        ])
    );
    let entitlement = billing.entitlement("bob").await.body;
    assert_eq!(
        fields(&entitlement),
        sorted(&[
            "user_id",
            "plan",
            "status",
            "entitled",
            "max_resolution",
            "max_streams",
            "access_until"
        ])
    );
    let report = billing.run_renewals().await.body;
    assert_eq!(
        fields(&report),
        sorted(&[
            "as_of", "renewed", "expired", "past_due", "canceled", "skipped"
        ])
    );
}

#[tokio::test]
async fn errors_are_a_code_and_a_message_and_nothing_else() {
    let billing = BillingHarness::start().await;
    let missing_key = billing
        .post(
            "/subscriptions",
            Some(&billing.viewer("carol")),
            None,
            &json!({ "plan": "basic", "currency": "USD" }),
        )
        .await;
    assert_eq!(missing_key.status, 400);
    assert_eq!(fields(&missing_key.body), sorted(&["error"]));
    assert_eq!(
        fields(&missing_key.body["error"]),
        sorted(&["code", "message"])
    );
    assert_eq!(missing_key.error_code(), "idempotency_key_required");
    let unauthenticated = billing.get("/subscriptions/me", None).await;
    assert_eq!(
        (unauthenticated.status, unauthenticated.error_code()),
        (401, "unauthorized")
    );
}

#[tokio::test]
async fn request_bodies_with_renamed_or_extra_fields_are_refused() {
    let billing = BillingHarness::start().await;
    let token = billing.viewer("dave");
    let renamed = billing
        .post(
            "/subscriptions",
            Some(&token),
            Some("k-1"),
            &json!({ "plan_code": "basic", "currency": "USD" }),
        )
        .await;
    assert_eq!(
        (renamed.status, renamed.error_code()),
        (400, "invalid_request"),
        "`plan_code` is not `plan`"
    );
    let extra = billing
        .post(
            "/subscriptions",
            Some(&token),
            Some("k-2"),
            &json!({ "plan": "basic", "currency": "USD", "price_minor": 1 }),
        )
        .await;
    assert_eq!(extra.status, 400, "a client cannot send its own price");
    let refund = billing
        .post(
            "/invoices/inv_x/refunds",
            Some(&billing.admin()),
            Some("k-3"),
            &json!({ "amount": 5 }),
        )
        .await;
    assert_eq!(refund.status, 400, "refunds take `amount_minor`");
    assert!(billing.provider.charges().is_empty());
}

#[tokio::test]
async fn billing_events_have_their_routing_keys_envelopes_and_payload_fields() {
    let billing = BillingHarness::start().await;
    let mut probe = EventProbe::bind(
        billing.infra.bus.as_ref(),
        "test.billing.contract",
        "billing.#",
    )
    .await;
    let body = billing.subscribed("erin", "basic", "USD").await;
    let invoice = body["invoice"]["id"]
        .as_str()
        .expect("invoice id")
        .to_owned();
    assert_eq!(billing.refund(&invoice, 99, "ref-2").await.status, 201);
    let events = probe.take(3).await;

    let (key, changed) = &events[0];
    assert_eq!(
        (
            key.as_str(),
            changed.event_type.as_str(),
            changed.schema_version
        ),
        ("billing.subscription.changed", "SubscriptionChanged", 1)
    );
    assert_eq!(
        changed.aggregate_id,
        body["subscription"]["id"].as_str().expect("id"),
        "aggregate = subscription id"
    );
    assert_eq!(
        fields(&changed.payload),
        sorted(&[
            "subscription_id",
            "user_id",
            "plan",
            "previous_plan",
            "status",
            "previous_status",
            "reason",
            "entitled",
            "currency",
            "current_period_start",
            "current_period_end",
        ])
    );

    let (key, paid) = &events[1];
    assert_eq!(
        (key.as_str(), paid.event_type.as_str(), paid.sequence),
        ("billing.invoice.paid", "InvoicePaid", 1)
    );
    assert_eq!(paid.aggregate_id, invoice, "aggregate = invoice id");
    assert_eq!(
        fields(&paid.payload),
        sorted(&[
            "invoice_id",
            "number",
            "user_id",
            "subscription_id",
            "kind",
            "currency",
            "total_minor",
            "paid_minor",
            "charge_id",
            "paid_at",
            "lines",
        ])
    );
    assert_eq!(fields(&paid.payload["lines"][0]), sorted(LINE_FIELDS));

    let (key, refunded) = &events[2];
    assert_eq!(
        (key.as_str(), refunded.event_type.as_str()),
        ("billing.refund.issued", "RefundIssued")
    );
    assert_eq!(
        fields(&refunded.payload),
        sorted(&[
            "refund_id",
            "invoice_id",
            "user_id",
            "currency",
            "amount_minor",
            "refunded_total_minor",
            "provider_refund_id"
        ])
    );
    assert_eq!(
        (
            refunded.payload["amount_minor"].clone(),
            refunded.payload["refunded_total_minor"].clone()
        ),
        (json!(99), json!(99))
    );
}
