//! The upstream client for service-to-service calls: discovery through the
//! registry (round robin over healthy instances), the caller's network view
//! (partitions), a circuit breaker per upstream, a timeout per attempt, and retries
//! with backoff for idempotent requests only. The request id is forwarded.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use thiserror::Error;

use super::request_id::{REQUEST_ID_HEADER, RequestId};
use crate::Infra;
use crate::chaos::{NetworkFaults, Partitioned};
use crate::registry::RoundRobin;
use crate::resilience::{
    BreakerConfig, CircuitBreaker, Idempotency, Retry, RetryError, RetryPolicy, with_timeout,
};

/// Header that makes a non-idempotent request safe to repeat.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

/// Resilience settings for one upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpstreamPolicy {
    /// Limit per attempt.
    pub timeout: Duration,
    /// Retries (idempotent requests only).
    pub retry: RetryPolicy,
    /// Breaker settings.
    pub breaker: BreakerConfig,
}

impl Default for UpstreamPolicy {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(2),
            retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(50),
                max_delay: Duration::from_secs(1),
                ..RetryPolicy::default()
            },
            breaker: BreakerConfig::default(),
        }
    }
}

/// A request to an upstream, relative to the instance's base URL.
#[derive(Debug, Clone)]
pub struct UpstreamRequest {
    /// HTTP method.
    pub method: Method,
    /// Path and query, starting with `/`.
    pub path: String,
    /// Headers to forward.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: Option<Bytes>,
    /// Id of the request that caused this call.
    pub request_id: Option<RequestId>,
}

impl UpstreamRequest {
    /// A request without body.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            headers: HeaderMap::new(),
            body: None,
            request_id: None,
        }
    }

    /// A GET.
    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    /// A request with a JSON body.
    pub fn json<T: Serialize>(method: Method, path: impl Into<String>, body: &T) -> Self {
        let mut request = Self::new(method, path);
        request.body = Some(Bytes::from(
            serde_json::to_vec(body).expect("request bodies serialise"),
        ));
        request.headers.insert(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        request
    }

    /// Adds a header (invalid names or values are skipped).
    #[must_use]
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            self.headers.insert(name, value);
        }
        self
    }

    /// Forwards the caller's request id.
    #[must_use]
    pub fn request_id(mut self, id: &RequestId) -> Self {
        self.request_id = Some(id.clone());
        self
    }

    fn idempotency(&self) -> Idempotency {
        if self.headers.contains_key(IDEMPOTENCY_KEY_HEADER) {
            Idempotency::Idempotent
        } else {
            Idempotency::of_http_method(self.method.as_str())
        }
    }
}

/// An upstream's answer.
#[derive(Debug, Clone)]
pub struct UpstreamResponse {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body.
    pub body: Bytes,
    /// Id of the instance that answered.
    pub instance: String,
}

/// Why an upstream call produced no response.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum UpstreamError {
    /// A network partition separates caller and upstream.
    #[error(transparent)]
    Partitioned(#[from] Partitioned),
    /// No healthy instance is registered.
    #[error("no healthy instance of `{0}`")]
    NoInstance(String),
    /// The breaker is open.
    #[error("circuit to `{0}` is open")]
    CircuitOpen(String),
    /// The attempt exceeded its time limit.
    #[error("`{service}` did not answer within {after:?}")]
    Timeout {
        /// Upstream.
        service: String,
        /// The limit.
        after: Duration,
    },
    /// Connection refused or reset.
    #[error("`{service}` unreachable: {message}")]
    Transport {
        /// Upstream.
        service: String,
        /// Cause.
        message: String,
    },
    /// The body is not what the caller expected.
    #[error("`{service}` answered with an unexpected body: {message}")]
    Decode {
        /// Upstream.
        service: String,
        /// Cause.
        message: String,
    },
}

impl UpstreamResponse {
    /// Decodes a JSON body.
    pub fn json<T: DeserializeOwned>(&self, service: &str) -> Result<T, UpstreamError> {
        serde_json::from_slice(&self.body).map_err(|e| UpstreamError::Decode {
            service: service.to_owned(),
            message: e.to_string(),
        })
    }
}

/// An attempt's failure: no response, or a response worth retrying (502/503/504).
enum Attempt {
    Failed(UpstreamError),
    Unavailable(UpstreamResponse),
}

impl Attempt {
    fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Unavailable(_)
                | Self::Failed(UpstreamError::Timeout { .. } | UpstreamError::Transport { .. })
        )
    }
}

/// Calls one upstream service on behalf of one caller.
#[derive(Debug, Clone)]
pub struct UpstreamClient {
    caller: String,
    target: String,
    instances: Arc<RoundRobin>,
    breaker: CircuitBreaker,
    retry: Arc<Retry>,
    timeout: Duration,
    network: Arc<NetworkFaults>,
    http: reqwest::Client,
}

impl UpstreamClient {
    /// A client from `caller` to `target` over the infra's registry and network.
    pub fn new(
        caller: &str,
        target: &str,
        infra: &Infra,
        policy: UpstreamPolicy,
        http: reqwest::Client,
    ) -> Self {
        let seed = infra.ids.uuid().as_u64_pair().0;
        Self {
            caller: caller.to_owned(),
            target: target.to_owned(),
            instances: Arc::new(RoundRobin::new(infra.registry.clone(), target)),
            breaker: CircuitBreaker::new(target, policy.breaker, infra.clock.clone()),
            retry: Arc::new(Retry::new(policy.retry, infra.clock.clone(), seed)),
            timeout: policy.timeout,
            network: infra.network.clone(),
            http,
        }
    }

    /// The upstream's name.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The upstream's breaker (for status pages and tests).
    pub fn breaker(&self) -> &CircuitBreaker {
        &self.breaker
    }

    /// Sends the request: a 502/503/504, a timeout or a refused connection is
    /// retried on the next instance when the request is idempotent; the last
    /// response is returned whatever its status.
    pub async fn send(&self, request: UpstreamRequest) -> Result<UpstreamResponse, UpstreamError> {
        let outcome = self
            .retry
            .run(
                request.idempotency(),
                |_| self.attempt(&request),
                Attempt::is_transient,
            )
            .await;
        match outcome.map_err(RetryError::into_inner) {
            Ok(response) | Err(Attempt::Unavailable(response)) => Ok(response),
            Err(Attempt::Failed(error)) => Err(error),
        }
    }

    async fn attempt(&self, request: &UpstreamRequest) -> Result<UpstreamResponse, Attempt> {
        self.network
            .check(&self.caller, &self.target)
            .map_err(|e| Attempt::Failed(e.into()))?;
        let instance = self
            .instances
            .next()
            .await
            .map_err(|_| Attempt::Failed(UpstreamError::NoInstance(self.target.clone())))?;
        let permit = self
            .breaker
            .try_acquire()
            .map_err(|_| Attempt::Failed(UpstreamError::CircuitOpen(self.target.clone())))?;

        let mut builder = self
            .http
            .request(
                request.method.clone(),
                format!("{}{}", instance.base_url(), request.path),
            )
            .headers(request.headers.clone());
        if let Some(id) = &request.request_id {
            builder = builder.header(REQUEST_ID_HEADER, id.as_str());
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let sent = with_timeout(self.timeout, async {
            let response = builder.send().await?;
            let status = response.status();
            let headers = response.headers().clone();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, headers, body))
        })
        .await;
        let (status, headers, body) = match sent {
            Err(_) => {
                permit.failure();
                return Err(Attempt::Failed(UpstreamError::Timeout {
                    service: self.target.clone(),
                    after: self.timeout,
                }));
            }
            Ok(Err(e)) => {
                permit.failure();
                return Err(Attempt::Failed(UpstreamError::Transport {
                    service: self.target.clone(),
                    message: e.to_string(),
                }));
            }
            Ok(Ok(parts)) => parts,
        };
        let response = UpstreamResponse {
            status,
            headers,
            body,
            instance: instance.id,
        };
        if status.is_server_error() {
            permit.failure();
        } else {
            permit.success();
        }
        if matches!(
            status,
            StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
        ) {
            return Err(Attempt::Unavailable(response));
        }
        Ok(response)
    }
}
