//! The service kit: health and readiness, registration for the instance's lifetime,
//! request ids, and the upstream client's discovery, retries, breaker and partitions.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use mediaflow_shared::Infra;
use mediaflow_shared::http::{
    ApiError, HeartbeatSettings, REQUEST_ID_HEADER, ReadyCheck, RequestId, RunningService,
    ServiceSpec, UpstreamClient, UpstreamError, UpstreamPolicy, UpstreamRequest, start,
};
use mediaflow_shared::resilience::{BreakerConfig, Jitter, RetryPolicy};
use mediaflow_tests::support::servers::service_infra;
use tokio::net::TcpListener;

/// Counts calls and answers with a fixed status.
#[derive(Clone)]
struct Echo {
    calls: Arc<AtomicUsize>,
    status: StatusCode,
}

async fn echo(
    State(echo): State<Echo>,
    headers: HeaderMap,
) -> (StatusCode, Json<serde_json::Value>) {
    echo.calls.fetch_add(1, Ordering::SeqCst);
    let request_id = headers
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (
        echo.status,
        Json(serde_json::json!({ "request_id": request_id })),
    )
}

fn spec(name: &str, echo: Echo) -> ServiceSpec {
    ServiceSpec {
        name: name.to_owned(),
        router: Router::new()
            .route("/echo", get(self::echo).post(self::echo))
            .with_state(echo),
        ready_checks: Vec::new(),
        heartbeat: HeartbeatSettings::default(),
    }
}

async fn serve(
    infra: &Infra,
    name: &str,
    status: StatusCode,
) -> (RunningService, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind an ephemeral port");
    let running = start(
        spec(
            name,
            Echo {
                calls: calls.clone(),
                status,
            },
        ),
        listener,
        infra,
    )
    .await
    .expect("service starts");
    (running, calls)
}

fn policy(attempts: u32, threshold: u32) -> UpstreamPolicy {
    UpstreamPolicy {
        timeout: Duration::from_secs(2),
        retry: RetryPolicy {
            max_attempts: attempts,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            multiplier: 2,
            jitter: Jitter::None,
        },
        breaker: BreakerConfig {
            failure_threshold: threshold,
            ..BreakerConfig::default()
        },
    }
}

#[tokio::test]
async fn a_started_service_answers_health_and_ready_and_is_registered() {
    let infra = service_infra();
    let (svc, _) = serve(&infra, "catalog", StatusCode::OK).await;
    let http = reqwest::Client::new();
    let health = http
        .get(format!("{}/health", svc.base_url()))
        .send()
        .await
        .expect("health answers");
    assert_eq!(health.status(), 200);
    let ready = http
        .get(format!("{}/ready", svc.base_url()))
        .send()
        .await
        .expect("ready answers");
    assert_eq!(
        ready.status(),
        200,
        "a registered service without failing checks is ready"
    );
    let instances = infra
        .registry
        .healthy_instances("catalog")
        .await
        .expect("lookup");
    assert_eq!(instances.len(), 1);
    assert_eq!(
        instances[0].address,
        svc.address().to_string(),
        "the registry must hold the bound address"
    );
    assert_eq!(instances[0].id, format!("catalog-{}", svc.address().port()));
}

struct Failing;

#[async_trait]
impl ReadyCheck for Failing {
    async fn check(&self) -> Result<(), String> {
        Err("database unreachable".to_owned())
    }
}

#[tokio::test]
async fn ready_answers_503_naming_the_failing_dependency() {
    let infra = service_infra();
    let mut s = spec(
        "billing",
        Echo {
            calls: Arc::default(),
            status: StatusCode::OK,
        },
    );
    s.ready_checks
        .push(("database".to_owned(), Arc::new(Failing)));
    let svc = start(
        s,
        TcpListener::bind("127.0.0.1:0").await.expect("bind"),
        &infra,
    )
    .await
    .expect("start");
    let ready = reqwest::get(format!("{}/ready", svc.base_url()))
        .await
        .expect("ready answers");
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.expect("json");
    assert_eq!(
        body["failing"],
        serde_json::json!(["database: database unreachable"])
    );
}

#[tokio::test]
async fn stopping_a_service_deregisters_it() {
    let infra = service_infra();
    let (svc, _) = serve(&infra, "auth", StatusCode::OK).await;
    svc.stop().await.expect("clean stop");
    assert!(
        infra
            .registry
            .healthy_instances("auth")
            .await
            .expect("lookup")
            .is_empty(),
        "a stopped instance must not stay discoverable"
    );
}

#[tokio::test]
async fn a_heartbeat_interval_not_shorter_than_the_ttl_is_refused() {
    let infra = service_infra();
    let mut s = spec(
        "auth",
        Echo {
            calls: Arc::default(),
            status: StatusCode::OK,
        },
    );
    s.heartbeat = HeartbeatSettings {
        ttl: Duration::from_secs(10),
        interval: Duration::from_secs(10),
    };
    let err = start(
        s,
        TcpListener::bind("127.0.0.1:0").await.expect("bind"),
        &infra,
    )
    .await
    .expect_err("must refuse");
    assert!(
        err.to_string()
            .contains("shorter than the registration ttl"),
        "got: {err}"
    );
}

#[tokio::test]
async fn the_request_id_is_kept_when_valid_and_replaced_when_malformed() {
    let infra = service_infra();
    let (svc, _) = serve(&infra, "catalog", StatusCode::OK).await;
    let http = reqwest::Client::new();
    let kept = http
        .get(format!("{}/echo", svc.base_url()))
        .header(REQUEST_ID_HEADER, "req-abc.1")
        .send()
        .await
        .expect("call");
    assert_eq!(
        kept.headers()[REQUEST_ID_HEADER],
        "req-abc.1",
        "a well-formed id must be echoed"
    );
    let replaced = http
        .get(format!("{}/echo", svc.base_url()))
        .header(REQUEST_ID_HEADER, "bad id\tinjected")
        .send()
        .await
        .expect("call");
    let id = replaced.headers()[REQUEST_ID_HEADER]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        id.starts_with("req_") && RequestId::parse(&id).is_some(),
        "a malformed id must be replaced by a generated one, got {id}"
    );
}

#[tokio::test]
async fn the_upstream_client_round_robins_and_forwards_the_request_id() {
    let infra = service_infra();
    let (_a, a_calls) = serve(&infra, "catalog", StatusCode::OK).await;
    let (_b, b_calls) = serve(&infra, "catalog", StatusCode::OK).await;
    let client = UpstreamClient::new(
        "gateway",
        "catalog",
        &infra,
        policy(1, 5),
        reqwest::Client::new(),
    );
    for _ in 0..4 {
        let response = client
            .send(UpstreamRequest::get("/echo").request_id(&RequestId("req-7".into())))
            .await
            .expect("call");
        assert_eq!(
            response.json::<serde_json::Value>("catalog").expect("json")["request_id"],
            "req-7",
            "the request id must reach the upstream"
        );
    }
    assert_eq!(
        (
            a_calls.load(Ordering::SeqCst),
            b_calls.load(Ordering::SeqCst)
        ),
        (2, 2),
        "four calls over two instances"
    );
}

#[tokio::test]
async fn an_idempotent_call_is_retried_on_the_next_instance_after_a_503() {
    let infra = service_infra();
    let (_bad, bad_calls) = serve(&infra, "catalog", StatusCode::SERVICE_UNAVAILABLE).await;
    let (_good, good_calls) = serve(&infra, "catalog", StatusCode::OK).await;
    let client = UpstreamClient::new(
        "gateway",
        "catalog",
        &infra,
        policy(3, 5),
        reqwest::Client::new(),
    );
    for _ in 0..2 {
        let response = client
            .send(UpstreamRequest::get("/echo"))
            .await
            .expect("call");
        assert_eq!(
            response.status, 200,
            "a GET hitting the unavailable instance must be retried on the healthy one"
        );
    }
    assert_eq!(good_calls.load(Ordering::SeqCst), 2);
    assert!(bad_calls.load(Ordering::SeqCst) >= 1);
}

#[tokio::test]
async fn a_post_is_never_retried() {
    let infra = service_infra();
    let (_svc, calls) = serve(&infra, "billing", StatusCode::SERVICE_UNAVAILABLE).await;
    let client = UpstreamClient::new(
        "gateway",
        "billing",
        &infra,
        policy(3, 5),
        reqwest::Client::new(),
    );
    let response = client
        .send(UpstreamRequest::json(
            Method::POST,
            "/echo",
            &serde_json::json!({"plan": "premium"}),
        ))
        .await
        .expect("a response");
    assert_eq!(response.status, 503, "the upstream's answer is passed back");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "a POST that may have charged must not be repeated"
    );
    let keyed = UpstreamRequest::json(Method::POST, "/echo", &serde_json::json!({}))
        .header("idempotency-key", "k-1");
    client.send(keyed).await.expect("a response");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        4,
        "a POST with an Idempotency-Key is safe to retry (3 attempts)"
    );
}

#[tokio::test]
async fn the_breaker_opens_at_its_threshold_and_stops_calling_the_upstream() {
    let infra = service_infra();
    let (_svc, calls) = serve(&infra, "catalog", StatusCode::INTERNAL_SERVER_ERROR).await;
    let client = UpstreamClient::new(
        "gateway",
        "catalog",
        &infra,
        policy(1, 3),
        reqwest::Client::new(),
    );
    for _ in 0..3 {
        assert_eq!(
            client
                .send(UpstreamRequest::get("/echo"))
                .await
                .expect("answer")
                .status,
            500
        );
    }
    let refused = client.send(UpstreamRequest::get("/echo")).await;
    assert_eq!(
        refused.map(|r| r.status),
        Err(UpstreamError::CircuitOpen("catalog".into()))
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "an open breaker must not send the fourth call"
    );
}

#[tokio::test]
async fn a_partition_fails_fast_without_reaching_the_upstream() {
    let infra = service_infra();
    let (_svc, calls) = serve(&infra, "catalog", StatusCode::OK).await;
    infra.network.partition("gateway", "catalog");
    let client = UpstreamClient::new(
        "gateway",
        "catalog",
        &infra,
        policy(3, 5),
        reqwest::Client::new(),
    );
    let err = client
        .send(UpstreamRequest::get("/echo"))
        .await
        .expect_err("partitioned");
    assert!(matches!(err, UpstreamError::Partitioned(_)), "got {err:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    infra.network.heal("gateway", "catalog");
    assert!(
        client.send(UpstreamRequest::get("/echo")).await.is_ok(),
        "healing restores the route"
    );
}

#[tokio::test]
async fn no_registered_instance_is_a_clear_error() {
    let infra = service_infra();
    let client = UpstreamClient::new(
        "gateway",
        "recommendations",
        &infra,
        policy(1, 5),
        reqwest::Client::new(),
    );
    let err = client
        .send(UpstreamRequest::get("/x"))
        .await
        .expect_err("nothing registered");
    assert_eq!(err, UpstreamError::NoInstance("recommendations".into()));
}

#[tokio::test]
async fn api_errors_render_the_documented_body_and_retry_after() {
    let app = Router::new().route(
        "/limited",
        post(|| async {
            ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "slow down").retry_after(7)
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let response = reqwest::Client::new()
        .post(format!("http://{addr}/limited"))
        .send()
        .await
        .expect("call");
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(
        body,
        serde_json::json!({"error": {"code": "rate_limited", "message": "slow down"}})
    );
}
