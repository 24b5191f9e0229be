//! End to end through the gateway with the real auth, catalog and billing
//! services on the embedded infrastructure: startup behind the readiness gate,
//! sign-up and sign-in, public browsing, protected routes, and the home page
//! degrading while recommendations and users are not deployed.

use std::time::Duration;

use mediaflow_shared::Infra;
use mediaflow_shared::http::RunningService;
use mediaflow_tests::support::fixtures::{LONG_HEARTBEAT, ephemeral_listener, infra, jwt_settings};
use mediaflow_tests::support::http::url;
use mediaflow_tests::support::{auth, gateway};
use serde_json::{Value, json};

/// Auth, catalog and billing sharing the gateway tests' key, on ephemeral ports.
struct Backends {
    _auth: RunningService,
    _catalog: RunningService,
    _billing: RunningService,
}

async fn start_backends(infra: &Infra) -> Backends {
    // Cheap hashing keeps sign-up fast; the cost parameters are auth's own concern.
    let auth = auth::settings();
    let mut catalog = mediaflow_catalog::Settings::new(jwt_settings());
    catalog.heartbeat = LONG_HEARTBEAT;
    let mut billing = mediaflow_billing::Settings::new(jwt_settings());
    billing.heartbeat = LONG_HEARTBEAT;
    Backends {
        _auth: mediaflow_auth::start(infra, auth, ephemeral_listener().await)
            .await
            .expect("auth starts"),
        _catalog: mediaflow_catalog::start(infra, catalog, ephemeral_listener().await)
            .await
            .expect("catalog starts"),
        _billing: mediaflow_billing::start(infra, billing, ephemeral_listener().await)
            .await
            .expect("billing starts"),
    }
}

/// A gateway with the production readiness gate (auth, catalog, billing).
async fn start_gateway(infra: &Infra) -> RunningService {
    let mut settings = gateway::settings();
    settings.readiness.required = ["auth", "catalog", "billing"].map(str::to_owned).to_vec();
    gateway::spawn(infra, settings).await
}

/// Registers and logs in through the gateway; the access token.
async fn sign_up(gw: &RunningService, email: &str) -> String {
    let http = reqwest::Client::new();
    let password = "a long enough passphrase 42";
    let registered = http
        .post(url(gw, "/api/auth/register"))
        .json(&json!({"email": email, "password": password, "display_name": "Ada"}))
        .send()
        .await
        .expect("register");
    assert_eq!(
        registered.status(),
        201,
        "registration through the gateway: {:?}",
        registered.text().await
    );
    let login = http
        .post(url(gw, "/api/auth/login"))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .expect("login");
    assert_eq!(login.status(), 200, "login through the gateway");
    let pair: Value = login.json().await.expect("token pair");
    pair["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

#[tokio::test]
async fn a_visitor_signs_up_logs_in_and_reaches_a_protected_route_through_the_gateway() {
    let (_clock, infra) = infra();
    let _backends = start_backends(&infra).await;
    let gw = start_gateway(&infra).await;
    let token = sign_up(&gw, "ada@example.com").await;
    let http = reqwest::Client::new();
    let me = http
        .get(url(&gw, "/api/auth/me"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("me");
    assert_eq!(
        me.status(),
        200,
        "the token auth issued must pass the gateway and auth"
    );
    let profile: Value = me.json().await.expect("profile");
    assert!(
        profile.to_string().contains("ada@example.com"),
        "the profile is the caller's: {profile}"
    );
    let anonymous = http.get(url(&gw, "/api/auth/me")).send().await.expect("me");
    assert_eq!(
        anonymous.status(),
        401,
        "without the token the gateway refuses"
    );
}

#[tokio::test]
async fn anonymous_visitors_browse_the_catalog_and_plans_but_not_subscriptions() {
    let (_clock, infra) = infra();
    let _backends = start_backends(&infra).await;
    let gw = start_gateway(&infra).await;
    let http = reqwest::Client::new();
    let plans = http
        .get(url(&gw, "/api/billing/plans"))
        .send()
        .await
        .expect("plans");
    assert_eq!(plans.status(), 200, "plans are public");
    assert!(
        plans
            .json::<Value>()
            .await
            .expect("json")
            .get("plans")
            .is_some(),
        "billing's plan list comes through"
    );
    let videos = http
        .get(url(&gw, "/api/catalog/videos?limit=5"))
        .send()
        .await
        .expect("videos");
    assert_eq!(videos.status(), 200, "the catalog listing is public");
    let subscription = http
        .get(url(&gw, "/api/billing/subscriptions/me"))
        .send()
        .await
        .expect("subscription");
    assert_eq!(subscription.status(), 401, "a subscription is private");
}

#[tokio::test]
async fn the_home_page_shows_trending_and_degrades_while_recommendations_and_users_are_not_deployed()
 {
    let (_clock, infra) = infra();
    let _backends = start_backends(&infra).await;
    let gw = start_gateway(&infra).await;
    let token = sign_up(&gw, "grace@example.com").await;
    let home = reqwest::Client::new()
        .get(url(&gw, "/api/home"))
        .bearer_auth(&token)
        .header("x-request-id", "req-home-1")
        .send()
        .await
        .expect("home");
    assert_eq!(home.status(), 200, "the catalog alone makes a page");
    assert_eq!(home.headers()["x-request-id"], "req-home-1");
    let body: Value = home.json().await.expect("json");
    assert_eq!(
        body["degraded"],
        json!(["recommendations", "history"]),
        "the two missing services degrade their parts"
    );
    assert!(
        body["trending"].is_object() || body["trending"].is_array(),
        "trending is catalog's listing: {body}"
    );
}

#[tokio::test]
async fn the_gateway_refuses_to_start_while_a_required_service_is_missing() {
    let (_clock, infra) = infra();
    let _auth = mediaflow_auth::start(&infra, auth::settings(), ephemeral_listener().await)
        .await
        .expect("auth starts");
    let mut settings = gateway::settings();
    settings.readiness.required = ["auth", "catalog", "billing"].map(str::to_owned).to_vec();
    settings.readiness.timeout = Duration::from_secs(3);
    let error = gateway::try_spawn(&infra, settings)
        .await
        .expect_err("catalog and billing never came");
    assert!(
        error.to_string().contains("catalog, billing"),
        "the operator is told what is missing: {error}"
    );
}
