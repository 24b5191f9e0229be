//! Helpers for the gateway's tests: settings with fast retries and a small
//! breaker, a gateway on an ephemeral port, and upstream test doubles
//! (registered under a service name through the HTTP kit) that record every
//! call they receive and give canned answers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use mediaflow_gateway::Settings;
use mediaflow_shared::Infra;
use mediaflow_shared::http::{RunningService, ServiceSpec};
use mediaflow_shared::resilience::{BreakerConfig, Jitter, RetryPolicy};

use super::fixtures::{LONG_HEARTBEAT, ephemeral_listener, jwt_settings};

/// Settings for tests: nothing required at startup, fast retries without
/// jitter (3 attempts), a 500 ms upstream timeout, breaker at 5 failures with a
/// 30 s cool-down, generous rate limits, a long registration TTL.
pub fn settings() -> Settings {
    let mut settings = Settings::new(jwt_settings());
    settings.heartbeat = LONG_HEARTBEAT;
    settings.readiness.required = Vec::new();
    settings.readiness.timeout = Duration::from_secs(5);
    settings.readiness.poll = Duration::from_millis(100);
    settings.upstream.timeout = Duration::from_millis(500);
    settings.upstream.retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(4),
        multiplier: 2,
        jitter: Jitter::None,
    };
    settings.upstream.breaker = BreakerConfig {
        failure_threshold: 5,
        cool_down: Duration::from_secs(30),
        half_open_max_probes: 1,
        success_threshold: 1,
    };
    settings
}

/// `GET` of `path` through the gateway with a bearer token: the request most gateway
/// tests make.
pub async fn get_as(
    gw: &RunningService,
    token: impl std::fmt::Display,
    path: &str,
) -> reqwest::Response {
    reqwest::Client::new()
        .get(super::http::url(gw, path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path} through the gateway got no answer: {e}"))
}

/// Starts a gateway on an ephemeral port.
pub async fn spawn(infra: &Infra, settings: Settings) -> RunningService {
    try_spawn(infra, settings)
        .await
        .expect("the gateway starts")
}

/// Starts a gateway, returning the start error.
pub async fn try_spawn(
    infra: &Infra,
    settings: Settings,
) -> Result<RunningService, mediaflow_gateway::StartError> {
    mediaflow_gateway::start(infra, settings, ephemeral_listener().await).await
}

/// One request an upstream double received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Method.
    pub method: Method,
    /// Path and query as received.
    pub path_and_query: String,
    /// Headers as received.
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
}

impl Recorded {
    /// A header as text, if present.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// The canned answer a double gives.
#[derive(Debug, Clone)]
pub struct Canned {
    /// Status.
    pub status: StatusCode,
    /// Extra response headers.
    pub headers: Vec<(&'static str, String)>,
    /// Body text.
    pub body: String,
    /// Never answer (to exercise timeouts).
    pub hang: bool,
}

impl Canned {
    /// A JSON answer.
    pub fn json(status: StatusCode, body: &serde_json::Value) -> Self {
        Self {
            status,
            headers: vec![("content-type", "application/json".to_owned())],
            body: body.to_string(),
            hang: false,
        }
    }

    /// A plain-text answer.
    pub fn text(status: StatusCode, body: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type", "text/plain".to_owned())],
            body: body.to_owned(),
            hang: false,
        }
    }

    /// An answer that never comes.
    pub fn hang() -> Self {
        Self {
            status: StatusCode::OK,
            headers: Vec::new(),
            body: String::new(),
            hang: true,
        }
    }

    /// Adds a response header.
    #[must_use]
    pub fn with_header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }
}

type Responder = Arc<dyn Fn(&Recorded) -> Canned + Send + Sync>;

#[derive(Clone)]
struct DoubleState {
    log: Arc<Mutex<Vec<Recorded>>>,
    responder: Responder,
}

async fn answer(State(state): State<DoubleState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 64 * 1024 * 1024)
        .await
        .unwrap_or_default();
    let recorded = Recorded {
        method: parts.method,
        path_and_query: parts
            .uri
            .path_and_query()
            .map(ToString::to_string)
            .unwrap_or_default(),
        headers: parts.headers,
        body,
    };
    let canned = (state.responder)(&recorded);
    state
        .log
        .lock()
        .expect("double log poisoned")
        .push(recorded);
    if canned.hang {
        std::future::pending::<()>().await;
    }
    let mut response = (canned.status, canned.body).into_response();
    for (name, value) in canned.headers {
        if let Ok(value) = axum::http::HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// A stand-in upstream: any method and path, answered by a closure, every call
/// recorded.
pub struct Double {
    /// The running double (stop it to take the upstream away).
    pub service: RunningService,
    log: Arc<Mutex<Vec<Recorded>>>,
}

impl std::fmt::Debug for Double {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Double")
            .field("service", &self.service.name())
            .finish_non_exhaustive()
    }
}

impl Double {
    /// Serves `responder` under `name` on an ephemeral port, registered in `infra`.
    pub async fn serve(
        infra: &Infra,
        name: &str,
        responder: impl Fn(&Recorded) -> Canned + Send + Sync + 'static,
    ) -> Self {
        let log = Arc::new(Mutex::new(Vec::new()));
        let state = DoubleState {
            log: log.clone(),
            responder: Arc::new(responder),
        };
        let spec = ServiceSpec {
            name: name.to_owned(),
            router: Router::new().fallback(answer).with_state(state),
            ready_checks: Vec::new(),
            heartbeat: LONG_HEARTBEAT,
        };
        let service = mediaflow_shared::http::start(spec, ephemeral_listener().await, infra)
            .await
            .expect("the double starts");
        Self { service, log }
    }

    /// A double that always answers `200` with `body`.
    pub async fn ok(infra: &Infra, name: &str, body: serde_json::Value) -> Self {
        Self::serve(infra, name, move |_| Canned::json(StatusCode::OK, &body)).await
    }

    /// A double that always answers `status` with a platform error body.
    pub async fn failing(infra: &Infra, name: &str, status: StatusCode) -> Self {
        let body = serde_json::json!({"error": {"code": "unavailable", "message": "try later"}});
        Self::serve(infra, name, move |_| Canned::json(status, &body)).await
    }

    /// Calls received so far.
    pub fn calls(&self) -> usize {
        self.log.lock().expect("double log poisoned").len()
    }

    /// Every call received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().expect("double log poisoned").clone()
    }

    /// The last call received.
    pub fn last(&self) -> Recorded {
        self.requests().pop().expect("the double received a call")
    }
}
