//! Billing end to end: auth, billing and the gateway in one process over one
//! manual clock, every call through the gateway over HTTP — register, subscribe,
//! upgrade mid-period, cancel, renew, and retry through a provider outage.

use std::sync::Arc;

use chrono::TimeDelta;
use mediaflow_billing::ScriptedOutcome;
use mediaflow_shared::auth::Role;
use mediaflow_shared::clock::ManualClock;
use mediaflow_tests::support::billing::{FAST_PAYMENT_RETRY, day};
use mediaflow_tests::support::fixtures::{LONG_HEARTBEAT, infra};
use mediaflow_tests::support::http::Reply;
use mediaflow_tests::support::platform::{Svc, TestPlatform};
use serde_json::json;

async fn platform() -> (Arc<ManualClock>, TestPlatform) {
    let (clock, infra) = infra();
    let platform = TestPlatform::builder(infra)
        .services(&[Svc::Auth, Svc::Billing, Svc::Gateway])
        .auth(|s| s.heartbeat = LONG_HEARTBEAT)
        .gateway(|s| s.heartbeat = LONG_HEARTBEAT)
        .billing(|s| {
            s.heartbeat = LONG_HEARTBEAT;
            s.payments.retry = FAST_PAYMENT_RETRY;
        })
        .start()
        .await;
    (clock, platform)
}

/// Registers `email` through the gateway; the new user's id.
async fn register(platform: &TestPlatform, email: &str) -> String {
    let body = json!({ "email": email, "password": "correct horse battery staple", "display_name": "Viewer" });
    let reply = platform
        .post(Svc::Gateway, "/api/auth/register", &body, None)
        .await;
    assert_eq!(
        reply.status, 201,
        "registration through the gateway: {}",
        reply.raw
    );
    reply.body["user_id"]
        .as_str()
        .expect("a user id")
        .to_owned()
}

async fn billing_post(
    platform: &TestPlatform,
    path: &str,
    body: &serde_json::Value,
    token: &str,
    key: &str,
) -> Reply {
    let path = format!("/api/billing{path}");
    platform
        .send(
            reqwest::Method::POST,
            Svc::Gateway,
            &path,
            body,
            Some(token),
            &[("Idempotency-Key", key)],
        )
        .await
}

#[tokio::test]
async fn a_new_user_registers_subscribes_and_is_entitled_through_the_gateway() {
    let (_clock, platform) = platform().await;
    let plans = platform.get(Svc::Gateway, "/api/billing/plans", None).await;
    assert_eq!(
        plans.status, 200,
        "the plan list is public at the gateway: {}",
        plans.raw
    );
    let user = register(&platform, "viewer@example.com").await;
    let login = platform
        .post(
            Svc::Gateway,
            "/api/auth/login",
            &json!({ "email": "viewer@example.com", "password": "correct horse battery staple" }),
            None,
        )
        .await;
    let token = login.body["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned();
    let subscribed = billing_post(
        &platform,
        "/subscriptions",
        &json!({ "plan": "premium", "currency": "EUR" }),
        &token,
        "first",
    )
    .await;
    assert_eq!(subscribed.status, 201, "{}", subscribed.raw);
    assert_eq!(
        subscribed.body["subscription"]["user_id"],
        user.as_str(),
        "the subscription belongs to the token's subject"
    );
    let entitlement = platform
        .get(
            Svc::Gateway,
            &format!("/api/billing/entitlements/{user}"),
            Some(&token),
        )
        .await;
    assert_eq!(
        (
            entitlement.body["entitled"].clone(),
            entitlement.body["max_resolution"].clone()
        ),
        (json!(true), json!("1920x1080"))
    );
    assert_eq!(platform.payments.net_charged(&user), 1499);
    platform.stop().await;
}

#[tokio::test]
async fn the_seed_upgrade_through_the_gateway_costs_two_fifty() {
    let (clock, platform) = platform().await;
    let user = register(&platform, "upgrader@example.com").await;
    clock.set(day(2026, 4, 1));
    let token = platform.access_token(&user, &[Role::Viewer]);
    assert_eq!(
        billing_post(
            &platform,
            "/subscriptions",
            &json!({ "plan": "basic", "currency": "USD" }),
            &token,
            "s"
        )
        .await
        .status,
        201
    );
    clock.set(day(2026, 4, 16) + TimeDelta::hours(14));
    let token = platform.access_token(&user, &[Role::Viewer]);
    let upgrade = billing_post(
        &platform,
        "/subscriptions/me/change",
        &json!({ "plan": "premium" }),
        &token,
        "u",
    )
    .await;
    assert_eq!(upgrade.status, 200, "{}", upgrade.raw);
    assert_eq!(
        upgrade.body["invoice"]["total_minor"], 250,
        "15 of 30 days left: exactly 2.50 USD, not 7.50"
    );
    let invoices = platform
        .get(Svc::Gateway, "/api/billing/invoices", Some(&token))
        .await;
    let totals: Vec<i64> = invoices.body["invoices"]
        .as_array()
        .expect("invoices")
        .iter()
        .map(|i| i["total_minor"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(
        totals,
        vec![250, 999],
        "newest first: the upgrade, then the first period"
    );
    assert_eq!(platform.payments.net_charged(&user), 1249);
    platform.stop().await;
}

#[tokio::test]
async fn canceling_through_the_gateway_keeps_access_until_the_renewal_run_ends_it() {
    let (clock, platform) = platform().await;
    let user = register(&platform, "leaver@example.com").await;
    let token = platform.access_token(&user, &[Role::Viewer]);
    assert_eq!(
        billing_post(
            &platform,
            "/subscriptions",
            &json!({ "plan": "family", "currency": "USD" }),
            &token,
            "s"
        )
        .await
        .status,
        201
    );
    let canceled = billing_post(
        &platform,
        "/subscriptions/me/cancel",
        &json!({}),
        &token,
        "c",
    )
    .await;
    assert_eq!(
        canceled.body["subscription"]["status"], "canceling",
        "{}",
        canceled.raw
    );
    let entitled = platform
        .get(
            Svc::Gateway,
            &format!("/api/billing/entitlements/{user}"),
            Some(&token),
        )
        .await;
    assert_eq!(
        entitled.body["entitled"], true,
        "a family plan canceled today still streams until its period ends"
    );

    clock.set(day(2026, 2, 1));
    let admin = platform.access_token("ops", &[Role::Admin]);
    let run = billing_post(
        &platform,
        "/internal/renewals/run",
        &json!({}),
        &admin,
        "run-1",
    )
    .await;
    assert_eq!(run.body["expired"], 1, "{}", run.raw);
    let token = platform.access_token(&user, &[Role::Viewer]);
    let after = platform
        .get(
            Svc::Gateway,
            &format!("/api/billing/entitlements/{user}"),
            Some(&token),
        )
        .await;
    assert_eq!(
        (after.body["status"].clone(), after.body["entitled"].clone()),
        (json!("canceled"), json!(false))
    );
    assert_eq!(
        platform.payments.charges().len(),
        1,
        "no renewal charge after a cancellation"
    );
    platform.stop().await;
}

#[tokio::test]
async fn a_provider_outage_is_ridden_out_by_retrying_the_same_key_without_a_double_charge() {
    let (_clock, platform) = platform().await;
    let user = register(&platform, "patient@example.com").await;
    let token = platform.access_token(&user, &[Role::Viewer]);
    platform.payments.script([
        ScriptedOutcome::TimeoutAfterProcessing,
        ScriptedOutcome::Unavailable,
        ScriptedOutcome::Unavailable,
    ]);
    let body = json!({ "plan": "basic", "currency": "USD" });
    let mut reply = billing_post(&platform, "/subscriptions", &body, &token, "patient-1").await;
    if reply.status == 503 {
        reply = billing_post(&platform, "/subscriptions", &body, &token, "patient-1").await;
    }
    assert_eq!(
        reply.status, 201,
        "the same key succeeds once the provider answers: {}",
        reply.raw
    );
    assert_eq!(
        platform.payments.charges().len(),
        1,
        "the charge made before the timeout is the only one"
    );
    assert_eq!(platform.payments.net_charged(&user), 999);
    platform.stop().await;
}
