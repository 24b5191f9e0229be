//! The gateway under injected faults: network partitions and isolation, an
//! upstream that hangs or crashed while still registered, breaker trips and
//! recovery, a degraded home page, and a skewed or rewound gateway clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::http::StatusCode;
use chrono::TimeDelta;
use mediaflow_gateway::domain::rate_limit::RateLimit;
use mediaflow_shared::chaos::SkewedClock;
use mediaflow_shared::clock::SharedClock;
use mediaflow_tests::support::fixtures::{access_token, infra};
use mediaflow_tests::support::gateway::{self, Canned, Double};
use mediaflow_tests::support::http::url;
use serde_json::{Value, json};

/// Waits (bounded) until nothing accepts connections on `addr` any more.
async fn wait_until_closed(addr: std::net::SocketAddr) {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the crashed upstream at {addr} still accepts connections after 1 s");
}

#[tokio::test]
async fn a_partition_to_an_upstream_answers_503_without_calling_it_until_healed() {
    let (_clock, infra) = infra();
    let catalog = Double::ok(&infra, "catalog", json!([])).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    infra.network.partition("gateway", "catalog");
    let cut = reqwest::get(url(&gw, "/api/catalog/videos"))
        .await
        .expect("call");
    assert_eq!(cut.status(), 503, "a partitioned upstream is unavailable");
    assert_eq!(
        cut.json::<Value>().await.expect("json")["error"]["code"],
        "upstream_unavailable"
    );
    assert_eq!(catalog.calls(), 0, "nothing crosses a partition");
    infra.network.heal("gateway", "catalog");
    assert_eq!(
        reqwest::get(url(&gw, "/api/catalog/videos"))
            .await
            .expect("call")
            .status(),
        200,
        "healing restores the route"
    );
}

#[tokio::test]
async fn an_upstream_that_stops_answering_becomes_a_504() {
    let (clock, infra) = infra();
    let _users = Double::serve(&infra, "users", |_| Canned::hang()).await;
    let mut settings = gateway::settings();
    settings.upstream.timeout = Duration::from_millis(40);
    let gw = gateway::spawn(&infra, settings).await;
    let response = gateway::get_as(
        &gw,
        access_token(&*clock, "user-1"),
        "/api/users/user-1/watchlist",
    )
    .await;
    assert_eq!(
        response.status(),
        504,
        "a hanging upstream must be cut off by the timeout, not hang the client"
    );
}

#[tokio::test]
async fn a_crashed_upstream_still_registered_is_503_and_trips_only_its_own_breaker() {
    let (clock, infra) = infra();
    let catalog = Double::ok(&infra, "catalog", json!([])).await;
    let billing = Double::ok(&infra, "billing", json!([])).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let address = catalog.service.address();
    drop(catalog);
    wait_until_closed(address).await;
    assert!(
        !infra
            .registry
            .healthy_instances("catalog")
            .await
            .expect("lookup")
            .is_empty(),
        "a crashed instance stays registered until its TTL lapses"
    );
    let http = reqwest::Client::new();
    let mut last = None;
    for _ in 0..3 {
        let response = http
            .get(url(&gw, "/api/catalog/videos"))
            .send()
            .await
            .expect("call");
        assert_eq!(
            response.status(),
            503,
            "connection refused must surface as unavailable"
        );
        last = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap_or_default().to_owned());
    }
    assert_eq!(
        last.as_deref(),
        Some("30"),
        "once the breaker is open the client is told the cool-down"
    );
    let token = access_token(&*clock, "user-1");
    let other = http
        .get(url(&gw, "/api/billing/invoices"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("call");
    assert_eq!(
        other.status(),
        200,
        "catalog's breaker must not cut billing off"
    );
    assert_eq!(billing.calls(), 1);
}

#[tokio::test]
async fn the_breaker_probes_after_its_cool_down_and_closes_once_the_upstream_recovered() {
    let (clock, infra) = infra();
    let healthy = Arc::new(AtomicBool::new(false));
    let flag = healthy.clone();
    let catalog = Double::serve(&infra, "catalog", move |_| {
        if flag.load(Ordering::SeqCst) {
            Canned::json(StatusCode::OK, &json!([]))
        } else {
            Canned::json(
                StatusCode::INTERNAL_SERVER_ERROR,
                &json!({"error": {"code": "internal", "message": "internal error; retry later"}}),
            )
        }
    })
    .await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let http = reqwest::Client::new();
    for _ in 0..5 {
        assert_eq!(
            http.get(url(&gw, "/api/catalog/videos"))
                .send()
                .await
                .expect("call")
                .status(),
            500
        );
    }
    let refused = http
        .get(url(&gw, "/api/catalog/videos"))
        .send()
        .await
        .expect("call");
    assert_eq!(
        refused.status(),
        503,
        "five consecutive failures open the breaker"
    );
    assert_eq!(catalog.calls(), 5, "an open breaker fails fast");
    healthy.store(true, Ordering::SeqCst);
    clock.advance(Duration::from_secs(30));
    assert_eq!(
        http.get(url(&gw, "/api/catalog/videos"))
            .send()
            .await
            .expect("call")
            .status(),
        200,
        "after the cool-down a probe goes through and succeeds"
    );
    assert_eq!(
        http.get(url(&gw, "/api/catalog/videos"))
            .send()
            .await
            .expect("call")
            .status(),
        200,
        "the breaker closed again"
    );
    assert_eq!(catalog.calls(), 7);
}

#[tokio::test]
async fn the_home_page_survives_a_partitioned_part_and_a_hanging_part() {
    let (clock, infra) = infra();
    let _catalog = Double::ok(&infra, "catalog", json!({"items": [{"id": "v1"}]})).await;
    let recommendations = Double::ok(&infra, "recommendations", json!({"items": []})).await;
    let _users = Double::serve(&infra, "users", |_| Canned::hang()).await;
    let mut settings = gateway::settings();
    settings.home.history = Duration::from_millis(40);
    let gw = gateway::spawn(&infra, settings).await;
    infra.network.partition("gateway", "recommendations");
    let response = gateway::get_as(&gw, access_token(&*clock, "user-1"), "/api/home").await;
    assert_eq!(response.status(), 200, "trending alone is worth a page");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["degraded"], json!(["recommendations", "history"]));
    assert_eq!(body["trending"]["items"][0]["id"], "v1");
    assert_eq!(recommendations.calls(), 0, "the partition held");
}

#[tokio::test]
async fn a_skewed_gateway_clock_accepts_tokens_within_the_leeway_and_refuses_beyond_it() {
    let (clock, infra) = infra();
    let _billing = Double::ok(&infra, "billing", json!({})).await;
    let real: SharedClock = clock.clone();
    let skewed = Arc::new(SkewedClock::new(real, TimeDelta::seconds(-20)));
    let shared: SharedClock = skewed.clone();
    let gw = gateway::spawn(&infra.clone().with_clock(shared), gateway::settings()).await;
    let token = access_token(&*clock, "user-1");
    let call = || {
        reqwest::Client::new()
            .get(url(&gw, "/api/billing/invoices"))
            .bearer_auth(&token)
            .send()
    };
    assert_eq!(
        call().await.expect("call").status(),
        200,
        "20 s of skew is inside the 30 s leeway"
    );
    skewed.set_offset(TimeDelta::minutes(-5));
    let refused = call().await.expect("call");
    assert_eq!(
        refused.status(),
        401,
        "5 minutes behind, a fresh token is not valid yet"
    );
    let message = refused.json::<Value>().await.expect("json")["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.contains("not valid yet"),
        "the client learns why: {message}"
    );
}

#[tokio::test]
async fn the_ip_limit_holds_when_the_gateway_clock_jumps_backwards() {
    let (clock, infra) = infra();
    let _catalog = Double::ok(&infra, "catalog", json!([])).await;
    let real: SharedClock = clock.clone();
    let skewed = Arc::new(SkewedClock::new(real, TimeDelta::zero()));
    let shared: SharedClock = skewed.clone();
    let mut settings = gateway::settings();
    settings.rate_limits.per_ip = RateLimit::new(1, 1, Duration::from_secs(60)).expect("limit");
    let gw = gateway::spawn(&infra.clone().with_clock(shared), settings).await;
    let call = || reqwest::get(url(&gw, "/api/catalog/videos"));
    assert_eq!(call().await.expect("call").status(), 200);
    skewed.set_offset(TimeDelta::hours(-1));
    assert_eq!(
        call().await.expect("call").status(),
        429,
        "rewinding the clock must not refill the bucket"
    );
    skewed.set_offset(TimeDelta::zero());
    clock.advance(Duration::from_secs(60));
    assert_eq!(
        call().await.expect("call").status(),
        200,
        "a minute of real progress refills one token"
    );
}

#[tokio::test]
async fn an_isolated_gateway_fails_fast_on_every_upstream_but_stays_live() {
    let (_clock, infra) = infra();
    let catalog = Double::ok(&infra, "catalog", json!([])).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    infra.network.isolate("gateway");
    assert_eq!(
        reqwest::get(url(&gw, "/api/catalog/videos"))
            .await
            .expect("call")
            .status(),
        503
    );
    assert_eq!(catalog.calls(), 0);
    assert_eq!(
        reqwest::get(url(&gw, "/health"))
            .await
            .expect("call")
            .status(),
        200,
        "liveness does not depend on upstreams"
    );
}

#[tokio::test]
async fn with_every_home_upstream_down_the_home_page_is_unavailable() {
    let (clock, infra) = infra();
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let response = gateway::get_as(&gw, access_token(&*clock, "user-1"), "/api/home").await;
    assert_eq!(
        response.status(),
        503,
        "a page with nothing on it is not a 200"
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "upstream_unavailable");
}
