//! Gateway security: the per-IP limit cannot be escaped with a forged
//! `X-Forwarded-For`, only access tokens signed by the platform pass the edge,
//! CORS never opens to other origins, traversal through a public route is refused,
//! and neither upstream crash pages nor instance addresses reach the client.

use std::time::Duration;

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mediaflow_gateway::domain::client_ip::TrustedProxies;
use mediaflow_gateway::domain::cors::{CorsPolicy, Origin};
use mediaflow_gateway::domain::rate_limit::RateLimit;
use mediaflow_shared::auth::{JwtIssuer, KeySet, Role, SigningKey, TokenType};
use mediaflow_shared::http::RunningService;
use mediaflow_tests::support::fixtures::{access_token, claims, infra, sign};
use mediaflow_tests::support::gateway::{self, Canned, Double};
use mediaflow_tests::support::http::url;
use serde_json::{Value, json};

/// Sends a request with a raw, unnormalised target (HTTP client libraries resolve
/// `..` and `%2e%2e` before sending) and returns the status code.
async fn raw_get(service: &RunningService, target: &str) -> u16 {
    use std::io::{Read, Write};
    let address = service.address();
    let request = format!("GET {target} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n\r\n");
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        stream.write_all(request.as_bytes()).expect("send");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read");
        answer
    })
    .await
    .expect("raw client");
    answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("an HTTP status line")
}

#[tokio::test]
async fn a_forged_forwarded_for_from_an_untrusted_peer_does_not_escape_the_ip_limit() {
    let (_clock, infra) = infra();
    let catalog = Double::ok(&infra, "catalog", json!([])).await;
    let mut settings = gateway::settings();
    settings.rate_limits.per_ip = RateLimit::new(2, 1, Duration::from_secs(60)).expect("limit");
    let gw = gateway::spawn(&infra, settings).await;
    let http = reqwest::Client::new();
    let mut statuses = Vec::new();
    for n in 0..5 {
        let response = http
            .get(url(&gw, "/api/catalog/videos"))
            .header("x-forwarded-for", format!("198.51.100.{n}"))
            .send()
            .await
            .expect("call");
        statuses.push(response.status().as_u16());
    }
    assert_eq!(
        statuses,
        vec![200, 200, 429, 429, 429],
        "a new X-Forwarded-For per request must not buy a new bucket"
    );
    assert_eq!(catalog.calls(), 2);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_real_client_is_limited_whatever_it_prepends() {
    let (_clock, infra) = infra();
    let _catalog = Double::ok(&infra, "catalog", json!([])).await;
    let mut settings = gateway::settings();
    settings.trusted_proxies = TrustedProxies::parse("127.0.0.1").expect("list");
    settings.rate_limits.per_ip = RateLimit::new(1, 1, Duration::from_secs(60)).expect("limit");
    let gw = gateway::spawn(&infra, settings).await;
    let http = reqwest::Client::new();
    let call = |xff: &'static str| {
        http.get(url(&gw, "/api/catalog/videos"))
            .header("x-forwarded-for", xff)
            .send()
    };
    assert_eq!(call("203.0.113.5").await.expect("call").status(), 200);
    assert_eq!(
        call("10.9.9.9, 203.0.113.5").await.expect("call").status(),
        429,
        "the client prepended a forged hop; the proxy-appended address is still 203.0.113.5"
    );
    assert_eq!(
        call("203.0.113.6").await.expect("call").status(),
        200,
        "another real client has its own bucket"
    );
}

#[tokio::test]
async fn a_refresh_token_is_not_accepted_where_an_access_token_is_required() {
    let (clock, infra) = infra();
    let users = Double::ok(&infra, "users", json!({})).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let refresh = sign(&claims(
        &*clock,
        "user-1",
        &[Role::Viewer],
        TokenType::Refresh,
    ));
    let response = gateway::get_as(&gw, refresh, "/api/users/user-1/profile").await;
    assert_eq!(
        response.status(),
        401,
        "a refresh token only obtains access tokens at auth"
    );
    assert_eq!(users.calls(), 0);
}

#[tokio::test]
async fn forged_expired_or_foreign_tokens_are_refused_at_the_edge() {
    let (clock, infra) = infra();
    let users = Double::ok(&infra, "users", json!({})).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let valid = claims(&*clock, "admin-1", &[Role::Viewer], TokenType::Access);
    let encode = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("json"));
    let unsigned = format!(
        "{}.{}.",
        encode(&json!({"alg": "none", "typ": "JWT"})),
        encode(&serde_json::to_value(&valid).expect("claims"))
    );
    let foreign_keys = KeySet::single(
        SigningKey::new("k1", b"another-platform-secret-0123456789ab".to_vec()).expect("key"),
    );
    let foreign = JwtIssuer::new(foreign_keys).sign(&valid);
    let mut wrong_audience = valid.clone();
    wrong_audience.aud = "another-app".into();
    let mut expired = valid.clone();
    expired.exp = expired.iat - 3_600;
    let cases = [
        ("alg none", unsigned),
        ("signed with another key", foreign),
        ("wrong audience", sign(&wrong_audience)),
        ("expired an hour ago", sign(&expired)),
        ("not a token", "let-me-in".to_owned()),
    ];
    for (what, token) in cases {
        let response = gateway::get_as(&gw, token, "/api/users/admin-1/profile").await;
        assert_eq!(response.status(), 401, "a token {what} must be refused");
    }
    assert_eq!(users.calls(), 0, "no refused token may reach the upstream");
}

#[tokio::test]
async fn cors_echoes_only_allowed_origins_and_never_a_wildcard() {
    let (_clock, infra) = infra();
    let _catalog = Double::ok(&infra, "catalog", json!([])).await;
    let mut settings = gateway::settings();
    settings.cors = CorsPolicy::new(["https://app.mediaflow.test"
        .parse::<Origin>()
        .expect("origin")]);
    let gw = gateway::spawn(&infra, settings).await;
    let http = reqwest::Client::new();
    let allowed = http
        .get(url(&gw, "/api/catalog/videos"))
        .header("origin", "https://app.mediaflow.test")
        .send()
        .await
        .expect("call");
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.mediaflow.test"
    );
    assert_eq!(
        allowed.headers()["access-control-allow-credentials"],
        "true"
    );
    for origin in [
        "https://evil.example",
        "https://app.mediaflow.test.evil.example",
        "null",
    ] {
        let response = http
            .get(url(&gw, "/api/catalog/videos"))
            .header("origin", origin)
            .send()
            .await
            .expect("call");
        let cors: Vec<_> = response
            .headers()
            .keys()
            .filter(|k| k.as_str().starts_with("access-control-"))
            .collect();
        assert!(
            cors.is_empty(),
            "origin {origin} must get no CORS headers, got {cors:?}"
        );
        let preflight = http
            .request(
                reqwest::Method::OPTIONS,
                url(&gw, "/api/billing/subscriptions"),
            )
            .header("origin", origin)
            .header("access-control-request-method", "DELETE")
            .send()
            .await
            .expect("call");
        assert_eq!(
            preflight.status(),
            403,
            "a preflight from {origin} is refused"
        );
        assert!(
            !preflight
                .headers()
                .contains_key("access-control-allow-origin")
        );
    }
}

#[tokio::test]
async fn traversal_out_of_a_public_route_is_refused_before_the_upstream() {
    let (_clock, infra) = infra();
    let catalog = Double::ok(&infra, "catalog", json!([])).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    for target in [
        "/api/catalog/videos/..",
        "/api/catalog/videos/%2e%2e",
        "/api/catalog/videos/%2E.",
        "/api/catalog/videos/x%2F..%2Fadmin",
        "/api/catalog/videos/x%5C..%5Cadmin",
    ] {
        assert_eq!(raw_get(&gw, target).await, 400, "{target} must be refused");
    }
    assert_eq!(
        raw_get(&gw, "/api/catalog/videos/v1").await,
        200,
        "a plain id still works"
    );
    assert_eq!(
        catalog.calls(),
        1,
        "only the plain request may reach the catalog"
    );
}

#[tokio::test]
async fn upstream_crash_pages_and_instance_addresses_never_reach_the_client() {
    let (_clock, infra) = infra();
    let crash = "thread 'main' panicked at src/repo.rs:88: db error: connection to postgres://catalog:hunter2@10.0.4.7:5432 refused";
    let _catalog = Double::serve(&infra, "catalog", move |_| {
        Canned::text(StatusCode::INTERNAL_SERVER_ERROR, crash)
    })
    .await;
    let billing = Double::ok(&infra, "billing", json!([])).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let crashed = reqwest::get(url(&gw, "/api/catalog/videos"))
        .await
        .expect("call");
    assert_eq!(crashed.status(), 500, "the upstream's status is kept");
    let body = crashed.text().await.expect("body");
    for secret in ["panicked", "repo.rs", "hunter2", "10.0.4.7"] {
        assert!(
            !body.contains(secret),
            "the client must not see `{secret}`: {body}"
        );
    }
    let body: Value = serde_json::from_str(&body).expect("a platform error body");
    assert_eq!(body["error"]["code"], "upstream_error");

    let address = billing.service.address();
    drop(billing);
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(address).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let unreachable = reqwest::get(url(&gw, "/api/billing/plans"))
        .await
        .expect("call");
    assert_eq!(unreachable.status(), 503);
    let body = unreachable.text().await.expect("body");
    assert!(
        !body.contains(&address.port().to_string()) && !body.contains("127.0.0.1"),
        "a refused connection must not reveal the instance's address: {body}"
    );
}

#[tokio::test]
async fn the_client_cannot_choose_the_correlation_id_or_forwarded_chain_sent_upstream() {
    let (clock, infra) = infra();
    let users = Double::ok(&infra, "users", json!({})).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let response = reqwest::Client::new()
        .get(url(&gw, "/api/users/user-1/profile"))
        .bearer_auth(access_token(&*clock, "user-1"))
        .header("x-correlation-id", "someone-elses-trace")
        .header("x-forwarded-for", "10.0.0.1")
        .header("x-real-ip", "10.0.0.1")
        .send()
        .await
        .expect("call");
    let request_id = response.headers()["x-request-id"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let seen = users.last();
    assert_eq!(
        seen.header("x-correlation-id"),
        Some(request_id),
        "the correlation id is always this request's id"
    );
    assert_eq!(
        seen.header("x-forwarded-for").as_deref(),
        Some("127.0.0.1"),
        "an untrusted peer's chain is replaced by the peer"
    );
    assert_eq!(
        seen.header("x-real-ip"),
        None,
        "gateway-owned headers from the client are dropped"
    );
}

#[tokio::test]
async fn the_per_user_limit_follows_the_token_subject_across_client_addresses() {
    let (clock, infra) = infra();
    let _billing = Double::ok(&infra, "billing", json!([])).await;
    let mut settings = gateway::settings();
    settings.trusted_proxies = TrustedProxies::parse("127.0.0.0/8").expect("list");
    settings.rate_limits.per_user = RateLimit::new(2, 1, Duration::from_secs(60)).expect("limit");
    let gw = gateway::spawn(&infra, settings).await;
    let http = reqwest::Client::new();
    let token = access_token(&*clock, "user-9");
    let mut statuses = Vec::new();
    for n in 0..3 {
        let response = http
            .get(url(&gw, "/api/billing/invoices"))
            .bearer_auth(&token)
            .header("x-forwarded-for", format!("203.0.113.{n}"))
            .send()
            .await
            .expect("call");
        statuses.push(response.status().as_u16());
    }
    assert_eq!(
        statuses,
        vec![200, 200, 429],
        "one user from three addresses shares one bucket"
    );
    let other = http
        .get(url(&gw, "/api/billing/invoices"))
        .bearer_auth(access_token(&*clock, "user-10"))
        .send()
        .await
        .expect("call");
    assert_eq!(other.status(), 200, "another user is not affected");
}
