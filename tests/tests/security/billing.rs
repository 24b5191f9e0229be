//! Billing's security: bearer tokens on every private route (access tokens only,
//! signed with a known key), admin-only operations, no reading of another user's
//! billing data (IDOR), idempotency keys scoped to their owner, and hostile
//! input that reaches SQL only as parameters and errors that leak nothing.

use mediaflow_shared::auth::{Claims, JwtIssuer, KeySet, Role, SigningKey, TokenType};
use mediaflow_shared::clock::Clock;
use mediaflow_tests::support::billing::BillingHarness;
use mediaflow_tests::support::fixtures::{KEY_ID, TEST_SECRET};
use serde_json::json;

fn signed(billing: &BillingHarness, secret: &[u8], typ: TokenType, roles: Vec<Role>) -> String {
    let now = billing.clock.now().timestamp();
    let issuer = JwtIssuer::new(KeySet::single(
        SigningKey::new(KEY_ID, secret.to_vec()).expect("valid key"),
    ));
    issuer.sign(&Claims {
        sub: "mallory".into(),
        iss: "mediaflow-auth".into(),
        aud: "mediaflow".into(),
        exp: now + 600,
        nbf: now,
        iat: now,
        jti: "jti-mallory".into(),
        typ,
        roles,
        fam: Some("fam-1".into()),
    })
}

#[tokio::test]
async fn every_route_but_the_plan_list_requires_a_bearer_token() {
    let billing = BillingHarness::start().await;
    let gets = [
        "/subscriptions/me",
        "/invoices",
        "/invoices/inv_1",
        "/entitlements/alice",
    ];
    for path in gets {
        let reply = billing.get(path, None).await;
        assert_eq!(
            reply.status, 401,
            "GET {path} without a token must be refused"
        );
        assert!(
            reply.header("www-authenticate").starts_with("Bearer"),
            "GET {path} must challenge for a bearer token"
        );
    }
    let posts = [
        "/subscriptions",
        "/subscriptions/me/change",
        "/subscriptions/me/cancel",
        "/invoices/inv_1/refunds",
        "/internal/renewals/run",
    ];
    for path in posts {
        assert_eq!(
            billing.post(path, None, Some("k"), &json!({})).await.status,
            401,
            "POST {path} without a token must be refused"
        );
    }
    assert_eq!(
        billing.get("/plans", None).await.status,
        200,
        "the plan list is public"
    );
}

#[tokio::test]
async fn refresh_tokens_and_tokens_signed_with_unknown_keys_are_refused() {
    let billing = BillingHarness::start().await;
    let refresh = signed(&billing, TEST_SECRET, TokenType::Refresh, vec![Role::Admin]);
    assert_eq!(
        billing
            .get("/subscriptions/me", Some(&refresh))
            .await
            .status,
        401,
        "a refresh token is not an access token"
    );
    let forged = signed(
        &billing,
        b"an-attacker-chosen-secret-of-32-bytes!!",
        TokenType::Access,
        vec![Role::Admin],
    );
    assert_eq!(
        billing
            .post("/internal/renewals/run", Some(&forged), None, &json!({}))
            .await
            .status,
        401,
        "a token signed with another secret must not be trusted, whatever roles it claims"
    );
}

#[tokio::test]
async fn only_admins_refund_and_run_renewals() {
    let billing = BillingHarness::start().await;
    let body = billing.subscribed("alice", "family", "USD").await;
    let invoice = body["invoice"]["id"]
        .as_str()
        .expect("invoice id")
        .to_owned();
    let viewer = billing.viewer("alice");
    let refund = billing
        .post(
            &format!("/invoices/{invoice}/refunds"),
            Some(&viewer),
            Some("r-1"),
            &json!({ "amount_minor": 1999 }),
        )
        .await;
    assert_eq!(
        (refund.status, refund.error_code()),
        (403, "forbidden"),
        "a customer cannot refund themself"
    );
    let creator = billing.token("alice", &[Role::Creator]);
    assert_eq!(
        billing
            .post("/internal/renewals/run", Some(&creator), None, &json!({}))
            .await
            .status,
        403
    );
    assert_eq!(
        billing.provider.refund_calls(),
        0,
        "no refund reached the provider"
    );
}

#[tokio::test]
async fn users_cannot_read_each_others_billing_data() {
    let billing = BillingHarness::start().await;
    let bob = billing.subscribed("bob", "premium", "USD").await;
    let bob_invoice = bob["invoice"]["id"]
        .as_str()
        .expect("invoice id")
        .to_owned();
    let alice = billing.viewer("alice");
    assert_eq!(
        billing.get("/entitlements/bob", Some(&alice)).await.status,
        403,
        "entitlements are the user's own"
    );
    assert_eq!(
        billing
            .get("/invoices?user_id=bob", Some(&alice))
            .await
            .status,
        403,
        "only admins list another user's invoices"
    );
    let probe = billing
        .get(&format!("/invoices/{bob_invoice}"), Some(&alice))
        .await;
    assert_eq!(
        probe.status, 404,
        "another user's invoice is indistinguishable from a missing one"
    );
    let admin = billing
        .get(&format!("/invoices/{bob_invoice}"), Some(&billing.admin()))
        .await;
    assert_eq!(
        admin.body["invoice"]["user_id"], "bob",
        "admins can read any invoice"
    );
}

#[tokio::test]
async fn idempotency_keys_are_scoped_to_their_owner() {
    let billing = BillingHarness::start().await;
    let alice = billing
        .subscribe("alice", "family", "USD", "shared-key")
        .await;
    let bob = billing
        .subscribe("bob", "family", "USD", "shared-key")
        .await;
    assert_eq!(bob.status, 201, "bob's request runs as his own");
    assert_eq!(
        bob.header("idempotent-replayed"),
        "",
        "bob must never receive alice's stored response"
    );
    assert_eq!(bob.body["subscription"]["user_id"], "bob");
    assert_ne!(
        alice.body["subscription"]["id"],
        bob.body["subscription"]["id"]
    );
    assert_eq!(billing.provider.charges().len(), 2);
}

#[tokio::test]
async fn hostile_plan_codes_and_ids_stay_data() {
    let billing = BillingHarness::start().await;
    let injection = billing
        .subscribe("eve", "basic' OR '1'='1", "USD", "inj-1")
        .await;
    assert_eq!(
        (injection.status, injection.error_code()),
        (400, "unknown_plan"),
        "{}",
        injection.body
    );
    let union = billing
        .subscribe("eve", "basic", "USD' UNION SELECT 1 --", "inj-2")
        .await;
    assert_eq!(
        (union.status, union.error_code()),
        (400, "unsupported_currency")
    );
    let path = billing
        .get("/invoices/x'%20OR%20'1'%3D'1", Some(&billing.admin()))
        .await;
    assert_eq!(path.status, 404, "an id with SQL in it matches no invoice");
    assert_eq!(
        billing.get("/plans", None).await.body["plans"]
            .as_array()
            .map(Vec::len),
        Some(3),
        "the catalogue is intact"
    );
    for reply in [&injection, &union, &path] {
        let text = reply.body.to_string().to_lowercase();
        assert!(
            !text.contains("sql") && !text.contains("sqlite") && !text.contains("select"),
            "errors must not echo SQL: {text}"
        );
    }
}

#[tokio::test]
async fn malformed_idempotency_keys_are_refused_before_any_charge() {
    let billing = BillingHarness::start().await;
    let long = "k".repeat(300);
    for key in ["", long.as_str()] {
        let reply = billing.subscribe("zed", "basic", "USD", key).await;
        assert_eq!(
            reply.status,
            400,
            "key {:?}… must be refused",
            key.chars().take(5).collect::<String>()
        );
    }
    assert_eq!(billing.provider.charge_calls(), 0);
}
