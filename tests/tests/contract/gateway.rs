//! The gateway's HTTP contract: the exact error bodies and headers of its own
//! answers (401, 404, 429, 503, 504), the home-page shape, the headers it sends
//! upstream and relays back, and the CORS preflight answer.

use std::collections::BTreeSet;
use std::time::Duration;

use axum::http::StatusCode;
use mediaflow_gateway::domain::cors::{CorsPolicy, Origin};
use mediaflow_gateway::domain::rate_limit::RateLimit;
use mediaflow_tests::support::fixtures::{access_token, infra};
use mediaflow_tests::support::gateway::{self, Canned, Double};
use mediaflow_tests::support::http::url;
use serde_json::{Value, json};

/// The keys of a JSON object, sorted.
fn keys(value: &Value) -> Vec<String> {
    value
        .as_object()
        .map(|o| {
            o.keys()
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        })
        .unwrap_or_default()
}

/// Asserts the platform error shape `{"error": {"code", "message"}}` with `code`.
fn assert_error_body(body: &Value, code: &str) {
    assert_eq!(
        keys(body),
        vec!["error"],
        "an error body has exactly one top-level field, `error`: {body}"
    );
    assert_eq!(
        keys(&body["error"]),
        vec!["code", "message"],
        "`error` has exactly `code` and `message`: {body}"
    );
    assert_eq!(body["error"]["code"], code, "error code");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "the message is a non-empty string"
    );
}

#[tokio::test]
async fn a_missing_token_answers_401_with_the_bearer_challenge_and_the_error_shape() {
    let (_clock, infra) = infra();
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let response = reqwest::get(url(&gw, "/api/home")).await.expect("call");
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_error_body(&response.json().await.expect("json"), "unauthorized");
}

#[tokio::test]
async fn a_rate_limited_request_answers_429_with_integer_retry_after_and_code_rate_limited() {
    let (_clock, infra) = infra();
    let _catalog = Double::ok(&infra, "catalog", json!([])).await;
    let mut settings = gateway::settings();
    settings.rate_limits.per_ip = RateLimit::new(1, 1, Duration::from_secs(90)).expect("limit");
    let gw = gateway::spawn(&infra, settings).await;
    let http = reqwest::Client::new();
    assert_eq!(
        http.get(url(&gw, "/api/catalog/videos"))
            .send()
            .await
            .expect("call")
            .status(),
        200
    );
    let limited = http
        .get(url(&gw, "/api/catalog/videos"))
        .send()
        .await
        .expect("call");
    assert_eq!(limited.status(), 429);
    assert_eq!(
        limited.headers()["retry-after"],
        "90",
        "Retry-After is whole seconds until the next token"
    );
    assert_error_body(&limited.json().await.expect("json"), "rate_limited");
}

#[tokio::test]
async fn no_instance_answers_503_upstream_unavailable_and_a_timeout_504_upstream_timeout() {
    let (clock, infra) = infra();
    let _users = Double::serve(&infra, "users", |_| Canned::hang()).await;
    let mut settings = gateway::settings();
    settings.upstream.timeout = Duration::from_millis(50);
    settings.upstream.retry.max_attempts = 1;
    let gw = gateway::spawn(&infra, settings).await;
    let http = reqwest::Client::new();
    let token = access_token(&*clock, "user-1");
    let unavailable = http
        .get(url(&gw, "/api/streaming/videos/v1/master.m3u8"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("call");
    assert_eq!(
        unavailable.status(),
        503,
        "no streaming instance is registered"
    );
    assert_error_body(
        &unavailable.json().await.expect("json"),
        "upstream_unavailable",
    );
    let late = http
        .get(url(&gw, "/api/users/user-1/profile"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("call");
    assert_eq!(
        late.status(),
        504,
        "an upstream that does not answer within the timeout is a gateway timeout"
    );
    assert_error_body(&late.json().await.expect("json"), "upstream_timeout");
}

#[tokio::test]
async fn the_home_page_has_exactly_trending_recommendations_history_and_degraded() {
    let (clock, infra) = infra();
    let _catalog = Double::ok(&infra, "catalog", json!({"items": []})).await;
    let _users = Double::ok(&infra, "users", json!({"items": []})).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let response = gateway::get_as(&gw, access_token(&*clock, "user-1"), "/api/home").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(
        keys(&body),
        vec!["degraded", "history", "recommendations", "trending"],
        "home fields: {body}"
    );
    assert_eq!(
        body["degraded"],
        json!(["recommendations"]),
        "`degraded` is an array of part names"
    );
    assert!(
        body["recommendations"].is_null(),
        "a failed part is an explicit null, not a missing field"
    );
}

#[tokio::test]
async fn the_upstream_receives_the_documented_forwarding_headers() {
    let (clock, infra) = infra();
    let billing = Double::ok(&infra, "billing", json!({})).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let token = access_token(&*clock, "user-1");
    reqwest::Client::new()
        .put(url(&gw, "/api/billing/subscriptions/s-1"))
        .bearer_auth(&token)
        .header("x-request-id", "req-contract-1")
        .header("idempotency-key", "idem-9")
        .header("if-match", "\"3\"")
        .json(&json!({"plan": "premium"}))
        .send()
        .await
        .expect("call");
    let seen = billing.last();
    assert_eq!(seen.method, "PUT");
    assert_eq!(seen.path_and_query, "/subscriptions/s-1");
    let expected = [
        ("authorization", format!("Bearer {token}")),
        ("x-request-id", "req-contract-1".to_owned()),
        ("x-correlation-id", "req-contract-1".to_owned()),
        ("x-forwarded-for", "127.0.0.1".to_owned()),
        ("idempotency-key", "idem-9".to_owned()),
        ("if-match", "\"3\"".to_owned()),
        ("content-type", "application/json".to_owned()),
    ];
    for (name, value) in expected {
        assert_eq!(
            seen.header(name),
            Some(value),
            "header `{name}` sent upstream"
        );
    }
}

#[tokio::test]
async fn upstream_response_headers_are_relayed_except_server_identity_and_cors() {
    let (_clock, infra) = infra();
    let _catalog = Double::serve(&infra, "catalog", |_| {
        Canned::json(StatusCode::OK, &json!({"id": "v1"}))
            .with_header("etag", "\"7\"")
            .with_header("cache-control", "public, max-age=60")
            .with_header("server", "catalog/1.4 (10.0.0.5)")
            .with_header("access-control-allow-origin", "*")
    })
    .await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let response = reqwest::get(url(&gw, "/api/catalog/videos/v1"))
        .await
        .expect("call");
    assert_eq!(response.headers()["etag"], "\"7\"");
    assert_eq!(response.headers()["cache-control"], "public, max-age=60");
    assert_eq!(response.headers()["content-type"], "application/json");
    assert!(
        !response.headers().contains_key("server"),
        "the upstream's server banner must not be relayed"
    );
    assert!(
        !response
            .headers()
            .contains_key("access-control-allow-origin"),
        "only the gateway decides CORS; an upstream's wildcard must not leak through"
    );
}

#[tokio::test]
async fn an_allowed_preflight_answers_204_with_the_documented_cors_headers() {
    let (_clock, infra) = infra();
    let mut settings = gateway::settings();
    settings.cors = CorsPolicy::new(["https://app.mediaflow.test"
        .parse::<Origin>()
        .expect("origin")]);
    let gw = gateway::spawn(&infra, settings).await;
    let response = reqwest::Client::new()
        .request(
            reqwest::Method::OPTIONS,
            url(&gw, "/api/billing/subscriptions"),
        )
        .header("origin", "https://app.mediaflow.test")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization, content-type",
        )
        .send()
        .await
        .expect("call");
    assert_eq!(response.status(), 204, "a preflight needs no token");
    let h = response.headers();
    assert_eq!(
        h["access-control-allow-origin"],
        "https://app.mediaflow.test"
    );
    assert_eq!(h["access-control-allow-credentials"], "true");
    assert_eq!(
        h["access-control-allow-methods"],
        "GET, HEAD, POST, PUT, PATCH, DELETE"
    );
    assert_eq!(
        h["access-control-allow-headers"],
        "accept, accept-language, authorization, content-type, idempotency-key, if-match, if-none-match, range, x-request-id"
    );
    assert_eq!(h["access-control-max-age"], "600");
    let vary: Vec<&str> = h
        .get_all("vary")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(
        vary.iter().any(|v| v.contains("origin")),
        "preflight answers vary by Origin: {vary:?}"
    );
}
