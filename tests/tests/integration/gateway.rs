//! The gateway over the embedded infrastructure with upstream test doubles:
//! routing and query forwarding, authentication at the edge, request and
//! correlation ids, pass-through of upstream answers, round robin, the startup
//! readiness gate, the home-page aggregation and the per-user rate limit.

use std::time::Duration;

use axum::http::StatusCode;
use mediaflow_shared::http::REQUEST_ID_HEADER;
use mediaflow_tests::support::fixtures::{access_token, infra};
use mediaflow_tests::support::gateway::{self, Canned, Double};
use mediaflow_tests::support::http::url;
use serde_json::{Value, json};

#[tokio::test]
async fn a_public_get_reaches_the_upstream_path_with_its_query_and_the_answer_comes_back() {
    let (_clock, infra) = infra();
    let catalog = Double::ok(
        &infra,
        "catalog",
        json!({"items": [{"id": "v1"}], "next_cursor": null}),
    )
    .await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let response = reqwest::get(url(&gw, "/api/catalog/videos?limit=5&genre=drama"))
        .await
        .expect("call");
    assert_eq!(
        response.status(),
        200,
        "an anonymous catalog listing is public"
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        body,
        json!({"items": [{"id": "v1"}], "next_cursor": null}),
        "the upstream body must be relayed unchanged"
    );
    let seen = catalog.last();
    assert_eq!(seen.method, "GET");
    assert_eq!(
        seen.path_and_query, "/videos?limit=5&genre=drama",
        "/api/catalog must be stripped and the query kept"
    );
}

#[tokio::test]
async fn a_protected_route_without_a_token_is_refused_at_the_edge() {
    let (_clock, infra) = infra();
    let billing = Double::ok(&infra, "billing", json!({})).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let response = reqwest::get(url(&gw, "/api/billing/subscriptions/me"))
        .await
        .expect("call");
    assert_eq!(
        response.status(),
        401,
        "subscriptions are not on the public list"
    );
    assert!(
        response.headers().contains_key("www-authenticate"),
        "a 401 must carry the Bearer challenge"
    );
    assert_eq!(
        billing.calls(),
        0,
        "an unauthenticated request must never reach the upstream"
    );
}

#[tokio::test]
async fn a_valid_access_token_is_verified_and_forwarded_to_the_upstream() {
    let (clock, infra) = infra();
    let billing = Double::ok(&infra, "billing", json!({"plan": "premium"})).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let token = access_token(&*clock, "user-7");
    let response = gateway::get_as(&gw, &token, "/api/billing/subscriptions/me").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        billing.last().header("authorization"),
        Some(format!("Bearer {token}")),
        "upstreams authorise on their own, so the Authorization header must be forwarded"
    );
}

#[tokio::test]
async fn the_request_id_is_forwarded_as_request_and_correlation_id_and_echoed() {
    let (_clock, infra) = infra();
    let catalog = Double::ok(&infra, "catalog", json!([])).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let response = reqwest::Client::new()
        .get(url(&gw, "/api/catalog/search?q=cats"))
        .header(REQUEST_ID_HEADER, "req-trace-1")
        .send()
        .await
        .expect("call");
    assert_eq!(
        response.headers()[REQUEST_ID_HEADER],
        "req-trace-1",
        "the client's id must be echoed"
    );
    assert_eq!(
        response.headers()["x-correlation-id"],
        "req-trace-1",
        "the correlation id is the request id"
    );
    let seen = catalog.last();
    assert_eq!(
        seen.header(REQUEST_ID_HEADER).as_deref(),
        Some("req-trace-1"),
        "the request id must reach the upstream"
    );
    assert_eq!(
        seen.header("x-correlation-id").as_deref(),
        Some("req-trace-1"),
        "the correlation id must reach the upstream"
    );
}

#[tokio::test]
async fn every_request_gets_its_own_correlation_id() {
    let (_clock, infra) = infra();
    let catalog = Double::ok(&infra, "catalog", json!([])).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let http = reqwest::Client::new();
    let mut echoed = Vec::new();
    for _ in 0..3 {
        let response = http
            .get(url(&gw, "/api/catalog/videos"))
            .send()
            .await
            .expect("call");
        echoed.push(
            response.headers()["x-correlation-id"]
                .to_str()
                .expect("ascii")
                .to_owned(),
        );
    }
    let forwarded: Vec<String> = catalog
        .requests()
        .iter()
        .filter_map(|r| r.header("x-correlation-id"))
        .collect();
    assert_eq!(
        forwarded, echoed,
        "each upstream call must carry the id of the request that caused it"
    );
    assert!(
        echoed[0] != echoed[1] && echoed[1] != echoed[2],
        "ids must never be shared across requests: {echoed:?}"
    );
}

#[tokio::test]
async fn upstream_client_errors_are_passed_through_with_their_status_and_body() {
    let (clock, infra) = infra();
    let body =
        json!({"error": {"code": "conflict", "message": "version 3 is stale; reload the video"}});
    let reply = body.clone();
    let _catalog = Double::serve(&infra, "catalog", move |_| {
        Canned::json(StatusCode::CONFLICT, &reply)
    })
    .await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let response = reqwest::Client::new()
        .patch(url(&gw, "/api/catalog/videos/v1"))
        .bearer_auth(access_token(&*clock, "creator-1"))
        .json(&json!({"title": "New"}))
        .send()
        .await
        .expect("call");
    assert_eq!(
        response.status(),
        409,
        "the upstream's status is the client's status"
    );
    assert_eq!(
        response.json::<Value>().await.expect("json"),
        body,
        "the upstream's error body is relayed as is"
    );
}

#[tokio::test]
async fn an_unknown_service_is_not_found() {
    let (clock, infra) = infra();
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let response = gateway::get_as(
        &gw,
        access_token(&*clock, "user-1"),
        "/api/payments/charges",
    )
    .await;
    assert_eq!(response.status(), 404, "payments is not a platform service");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn calls_are_spread_round_robin_over_the_healthy_instances() {
    let (_clock, infra) = infra();
    let first = Double::ok(&infra, "catalog", json!([])).await;
    let second = Double::ok(&infra, "catalog", json!([])).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let http = reqwest::Client::new();
    for _ in 0..6 {
        assert_eq!(
            http.get(url(&gw, "/api/catalog/videos"))
                .send()
                .await
                .expect("call")
                .status(),
            200
        );
    }
    assert_eq!(
        (first.calls(), second.calls()),
        (3, 3),
        "six calls over two instances must split evenly"
    );
}

#[tokio::test]
async fn a_post_body_and_its_content_type_reach_the_upstream_unchanged() {
    let (_clock, infra) = infra();
    let auth = Double::serve(&infra, "auth", |_| {
        Canned::json(StatusCode::CREATED, &json!({"id": "u-1"}))
    })
    .await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let response = reqwest::Client::new()
        .post(url(&gw, "/api/auth/register"))
        .json(&json!({"email": "ada@example.com", "password": "correct horse battery"}))
        .send()
        .await
        .expect("call");
    assert_eq!(response.status(), 201, "registration is public");
    let seen = auth.last();
    assert_eq!(seen.path_and_query, "/register");
    assert_eq!(
        seen.header("content-type").as_deref(),
        Some("application/json")
    );
    let sent: Value = serde_json::from_slice(&seen.body).expect("json body");
    assert_eq!(
        sent,
        json!({"email": "ada@example.com", "password": "correct horse battery"})
    );
}

#[tokio::test]
async fn startup_fails_naming_the_required_services_that_never_registered() {
    let (_clock, infra) = infra();
    let _auth = Double::ok(&infra, "auth", json!({})).await;
    let mut settings = gateway::settings();
    settings.readiness.required = ["auth", "catalog", "billing"].map(str::to_owned).to_vec();
    settings.readiness.timeout = Duration::from_secs(10);
    let error = gateway::try_spawn(&infra, settings)
        .await
        .expect_err("catalog and billing are missing");
    let message = error.to_string();
    assert!(
        message.contains("catalog, billing") && !message.contains("auth,"),
        "the error must name exactly the missing services, got: {message}"
    );
    assert!(
        infra
            .registry
            .healthy_instances("gateway")
            .await
            .expect("lookup")
            .is_empty(),
        "a gateway that failed its readiness gate must not be registered"
    );
}

#[tokio::test]
async fn startup_passes_once_required_services_are_registered_and_ready_tracks_them() {
    let (_clock, infra) = infra();
    let _auth = Double::ok(&infra, "auth", json!({})).await;
    let catalog = Double::ok(&infra, "catalog", json!({})).await;
    let mut settings = gateway::settings();
    settings.readiness.required = vec!["auth".to_owned(), "catalog".to_owned()];
    let gw = gateway::spawn(&infra, settings).await;
    assert_eq!(
        reqwest::get(url(&gw, "/ready"))
            .await
            .expect("ready")
            .status(),
        200
    );
    catalog.service.stop().await.expect("catalog stops");
    let ready = reqwest::get(url(&gw, "/ready")).await.expect("ready");
    assert_eq!(
        ready.status(),
        503,
        "without a catalog instance the gateway is not ready"
    );
    let body: Value = ready.json().await.expect("json");
    assert_eq!(
        body["failing"],
        json!(["upstreams: no healthy instance of catalog"])
    );
}

#[tokio::test]
async fn home_aggregates_trending_recommendations_and_history_for_the_token_subject() {
    let (clock, infra) = infra();
    let catalog = Double::ok(&infra, "catalog", json!({"items": [{"id": "v1"}]})).await;
    let recommendations =
        Double::ok(&infra, "recommendations", json!({"items": [{"id": "v2"}]})).await;
    let users = Double::ok(
        &infra,
        "users",
        json!({"items": [{"video_id": "v3", "position_secs": 42}]}),
    )
    .await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let response = gateway::get_as(&gw, access_token(&*clock, "user-7"), "/api/home").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["trending"], json!({"items": [{"id": "v1"}]}));
    assert_eq!(body["recommendations"], json!({"items": [{"id": "v2"}]}));
    assert_eq!(body["history"]["items"][0]["position_secs"], 42);
    assert_eq!(body["degraded"], json!([]), "nothing failed");
    assert_eq!(catalog.last().path_and_query, "/videos?limit=10");
    assert_eq!(
        recommendations.last().path_and_query,
        "/recommendations/user-7",
        "recommendations for the token's subject"
    );
    assert_eq!(users.last().path_and_query, "/users/user-7/history");
}

#[tokio::test]
async fn home_degrades_to_null_when_one_part_fails() {
    let (clock, infra) = infra();
    let _catalog = Double::ok(&infra, "catalog", json!({"items": []})).await;
    let _recommendations =
        Double::failing(&infra, "recommendations", StatusCode::INTERNAL_SERVER_ERROR).await;
    let _users = Double::ok(&infra, "users", json!({"items": []})).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let response = gateway::get_as(&gw, access_token(&*clock, "user-7"), "/api/home").await;
    assert_eq!(
        response.status(),
        200,
        "one failed part must not fail the page"
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["recommendations"], Value::Null);
    assert_eq!(body["degraded"], json!(["recommendations"]));
    assert_eq!(body["trending"], json!({"items": []}));
}

#[tokio::test]
async fn the_per_user_limit_refuses_with_retry_after_and_recovers_on_the_clock() {
    let (clock, infra) = infra();
    let _billing = Double::ok(&infra, "billing", json!({})).await;
    let mut settings = gateway::settings();
    settings.rate_limits.per_user =
        mediaflow_gateway::domain::rate_limit::RateLimit::new(2, 1, Duration::from_secs(10))
            .expect("limit");
    let gw = gateway::spawn(&infra, settings).await;
    let http = reqwest::Client::new();
    let token = access_token(&*clock, "user-7");
    let call = || {
        http.get(url(&gw, "/api/billing/invoices"))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(call().await.expect("call").status(), 200);
    assert_eq!(call().await.expect("call").status(), 200);
    let limited = call().await.expect("call");
    assert_eq!(limited.status(), 429, "a burst of 2 admits two requests");
    assert_eq!(limited.headers()["retry-after"], "10", "one token per 10 s");
    clock.advance(Duration::from_secs(10));
    assert_eq!(
        call().await.expect("call").status(),
        200,
        "after Retry-After the user is admitted again"
    );
}
