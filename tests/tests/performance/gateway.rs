//! Work the gateway causes, counted in upstream calls: retries bounded by the
//! policy and never for a POST, no calls through an open breaker or for refused
//! requests, one call per home-page part, and a bounded number of rate-limit
//! buckets under a flood of distinct clients.

use std::time::Duration;

use axum::http::StatusCode;
use mediaflow_gateway::domain::rate_limit::{Admission, RateLimit};
use mediaflow_gateway::limiter::RateLimiter;
use mediaflow_tests::support::fixtures::{access_token, infra, manual_clock};
use mediaflow_tests::support::gateway::{self, Double};
use mediaflow_tests::support::http::url;
use serde_json::json;

#[tokio::test]
async fn a_get_to_an_unavailable_upstream_is_tried_exactly_max_attempts_times() {
    let (_clock, infra) = infra();
    let catalog = Double::failing(&infra, "catalog", StatusCode::SERVICE_UNAVAILABLE).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let response = reqwest::get(url(&gw, "/api/catalog/videos"))
        .await
        .expect("call");
    assert_eq!(
        response.status(),
        503,
        "the last upstream answer is relayed"
    );
    assert_eq!(
        catalog.calls(),
        3,
        "a GET is retried, but never beyond max_attempts = 3"
    );
}

#[tokio::test]
async fn a_post_to_an_unavailable_upstream_is_sent_exactly_once() {
    let (clock, infra) = infra();
    let billing = Double::failing(&infra, "billing", StatusCode::SERVICE_UNAVAILABLE).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let response = reqwest::Client::new()
        .post(url(&gw, "/api/billing/subscriptions"))
        .bearer_auth(access_token(&*clock, "user-1"))
        .json(&json!({"plan": "premium", "currency": "EUR"}))
        .send()
        .await
        .expect("call");
    assert_eq!(response.status(), 503);
    assert_eq!(
        billing.calls(),
        1,
        "a POST that may have charged must never be repeated by the gateway"
    );
}

#[tokio::test]
async fn an_open_breaker_sends_no_calls_upstream() {
    let (_clock, infra) = infra();
    let catalog = Double::failing(&infra, "catalog", StatusCode::INTERNAL_SERVER_ERROR).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let http = reqwest::Client::new();
    for _ in 0..5 {
        http.get(url(&gw, "/api/catalog/videos"))
            .send()
            .await
            .expect("call");
    }
    assert_eq!(
        catalog.calls(),
        5,
        "each 500 is one call (500 is not retried) and one breaker failure"
    );
    for _ in 0..20 {
        assert_eq!(
            http.get(url(&gw, "/api/catalog/videos"))
                .send()
                .await
                .expect("call")
                .status(),
            503
        );
    }
    assert_eq!(
        catalog.calls(),
        5,
        "twenty requests through an open breaker must cost zero upstream calls"
    );
}

#[tokio::test]
async fn refused_requests_cost_no_upstream_calls() {
    let (clock, infra) = infra();
    let billing = Double::ok(&infra, "billing", json!([])).await;
    let mut settings = gateway::settings();
    settings.rate_limits.per_user = RateLimit::new(1, 1, Duration::from_secs(60)).expect("limit");
    let gw = gateway::spawn(&infra, settings).await;
    let http = reqwest::Client::new();
    for _ in 0..10 {
        assert_eq!(
            http.get(url(&gw, "/api/billing/invoices"))
                .send()
                .await
                .expect("call")
                .status(),
            401
        );
    }
    let token = access_token(&*clock, "user-1");
    for _ in 0..10 {
        http.get(url(&gw, "/api/billing/invoices"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("call");
    }
    assert_eq!(
        billing.calls(),
        1,
        "ten unauthenticated and nine rate-limited requests must not reach billing"
    );
}

#[tokio::test]
async fn the_home_page_costs_one_call_per_part_and_a_failing_part_at_most_max_attempts() {
    let (clock, infra) = infra();
    let catalog = Double::ok(&infra, "catalog", json!({"items": []})).await;
    let recommendations =
        Double::failing(&infra, "recommendations", StatusCode::SERVICE_UNAVAILABLE).await;
    let users = Double::ok(&infra, "users", json!({"items": []})).await;
    let gw = gateway::spawn(&infra, gateway::settings()).await;
    let response = gateway::get_as(&gw, access_token(&*clock, "user-1"), "/api/home").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        (catalog.calls(), users.calls()),
        (1, 1),
        "each healthy part is fetched exactly once"
    );
    assert_eq!(
        recommendations.calls(),
        3,
        "the failing part is retried up to max_attempts and no further"
    );
}

#[test]
fn the_limiter_keeps_a_bounded_number_of_buckets_under_a_flood_of_clients() {
    let (clock, shared) = manual_clock();
    let limit = RateLimit::new(5, 5, Duration::from_secs(1)).expect("limit");
    let limiter = RateLimiter::new(limit, shared, 100);
    for n in 0..10_000 {
        limiter.check(&format!("203.0.{}.{}", n / 256, n % 256));
        clock.advance(Duration::from_millis(10));
    }
    assert!(
        limiter.tracked() <= 100,
        "at most 100 buckets may be kept, found {}",
        limiter.tracked()
    );
}

#[test]
fn when_memory_is_full_the_fullest_bucket_is_forgotten_never_a_limited_client() {
    let (_clock, shared) = manual_clock();
    let limit = RateLimit::new(5, 1, Duration::from_secs(3600)).expect("limit");
    let limiter = RateLimiter::new(limit, shared, 3);
    for key in ["abuser-1", "abuser-2"] {
        for _ in 0..5 {
            limiter.check(key);
        }
    }
    limiter.check("light-user");
    assert!(
        matches!(limiter.check("newcomer"), Admission::Admitted { .. }),
        "a new client is admitted"
    );
    assert_eq!(limiter.tracked(), 3, "the bound holds");
    for key in ["abuser-1", "abuser-2"] {
        assert!(
            matches!(limiter.check(key), Admission::Limited { .. }),
            "{key} spent its burst; evicting its empty bucket would hand it a fresh one"
        );
    }
}
