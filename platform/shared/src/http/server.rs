//! The service host: serves a service's router on a bound listener next to
//! `/health` and `/ready`, keeps the instance registered with a TTL heartbeat, and
//! on shutdown stops accepting, drains in-flight requests and deregisters.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router, middleware};
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::request_id;
use crate::Infra;
use crate::config::{ConfigError, Env};
use crate::registry::{
    Heartbeat, HeartbeatOutcome, RegistryError, ServiceInstance, ServiceRegistry,
};
use crate::store::SqlStore;

/// How an instance keeps itself registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeartbeatSettings {
    /// Registration lifetime without a heartbeat.
    pub ttl: Duration,
    /// Time between heartbeats (real time); must be shorter than `ttl`.
    pub interval: Duration,
}

impl Default for HeartbeatSettings {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(15),
            interval: Duration::from_secs(5),
        }
    }
}

impl HeartbeatSettings {
    /// Reads `MEDIAFLOW_HEARTBEAT_TTL` and `MEDIAFLOW_HEARTBEAT_INTERVAL` (durations
    /// with units), defaulting to [`HeartbeatSettings::default`]. Both must be
    /// non-zero and the interval shorter than the TTL, or the registration lapses
    /// between beats.
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        const TTL: &str = "MEDIAFLOW_HEARTBEAT_TTL";
        const INTERVAL: &str = "MEDIAFLOW_HEARTBEAT_INTERVAL";
        let defaults = Self::default();
        let ttl = env.duration(TTL, defaults.ttl)?;
        let interval = env.duration(INTERVAL, defaults.interval)?;
        let invalid = |var: &str, value: Duration, expected: String| ConfigError::Invalid {
            var: var.to_owned(),
            value: format!("{value:?}"),
            expected,
        };
        if ttl.is_zero() {
            return Err(invalid(TTL, ttl, "a duration greater than zero".to_owned()));
        }
        if interval.is_zero() || interval >= ttl {
            return Err(invalid(
                INTERVAL,
                interval,
                format!(
                    "a non-zero duration shorter than {TTL} ({ttl:?}), or the registration lapses between beats"
                ),
            ));
        }
        Ok(Self { ttl, interval })
    }
}

/// A dependency `/ready` checks (database reachable, topology declared, …).
#[async_trait]
pub trait ReadyCheck: Send + Sync {
    /// `Err(reason)` when the dependency is not usable.
    async fn check(&self) -> Result<(), String>;
}

/// `/ready` fails while a service's database does not answer a trivial query.
#[derive(Debug, Clone)]
pub struct DatabaseReady(pub Arc<dyn SqlStore>);

#[async_trait]
impl ReadyCheck for DatabaseReady {
    async fn check(&self) -> Result<(), String> {
        self.0
            .query("SELECT 1 AS reachable", &[])
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// What to run.
pub struct ServiceSpec {
    /// Service name as registered (`catalog`).
    pub name: String,
    /// The service's own routes.
    pub router: Router,
    /// Named readiness checks.
    pub ready_checks: Vec<(String, Arc<dyn ReadyCheck>)>,
    /// Heartbeat timing.
    pub heartbeat: HeartbeatSettings,
}

impl std::fmt::Debug for ServiceSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceSpec")
            .field("name", &self.name)
            .field(
                "ready_checks",
                &self.ready_checks.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("heartbeat", &self.heartbeat)
            .finish_non_exhaustive()
    }
}

/// Errors starting or stopping a service.
#[derive(Debug, Error)]
pub enum ServiceError {
    /// Invalid settings.
    #[error("invalid service settings: {0}")]
    Config(String),
    /// The listener failed.
    #[error("listener failed: {0}")]
    Io(#[from] std::io::Error),
    /// Registration failed.
    #[error("could not register in the service registry: {0}")]
    Registry(#[from] RegistryError),
    /// The server task panicked.
    #[error("server task failed: {0}")]
    Join(String),
}

#[derive(Clone)]
struct Probe {
    name: Arc<str>,
    instance_id: Arc<str>,
    registry: Arc<dyn ServiceRegistry>,
    checks: Arc<Vec<(String, Arc<dyn ReadyCheck>)>>,
}

async fn health(State(probe): State<Probe>) -> Response {
    Json(serde_json::json!({ "status": "ok", "service": &*probe.name })).into_response()
}

async fn ready(State(probe): State<Probe>) -> Response {
    let mut failing = Vec::new();
    match probe.registry.healthy_instances(&probe.name).await {
        Ok(instances) if instances.iter().any(|i| *i.id == *probe.instance_id) => {}
        Ok(_) => failing.push("registry: instance not registered".to_owned()),
        Err(e) => failing.push(format!("registry: {e}")),
    }
    for (name, check) in probe.checks.iter() {
        if let Err(reason) = check.check().await {
            failing.push(format!("{name}: {reason}"));
        }
    }
    if failing.is_empty() {
        Json(serde_json::json!({ "status": "ready", "service": &*probe.name })).into_response()
    } else {
        let body = serde_json::json!({ "status": "not_ready", "service": &*probe.name, "failing": failing });
        (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
    }
}

/// A running service instance.
#[derive(Debug)]
pub struct RunningService {
    name: String,
    address: SocketAddr,
    instance: ServiceInstance,
    registry: Arc<dyn ServiceRegistry>,
    heartbeat: Arc<Heartbeat>,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<std::io::Result<()>>>,
    beats: Option<JoinHandle<()>>,
}

/// Starts `spec` on `listener`: registers first (an instance that cannot register
/// does not serve), then serves until [`RunningService::stop`].
pub async fn start(
    spec: ServiceSpec,
    listener: TcpListener,
    infra: &Infra,
) -> Result<RunningService, ServiceError> {
    let HeartbeatSettings { ttl, interval } = spec.heartbeat;
    if interval.is_zero() || interval >= ttl {
        return Err(ServiceError::Config(format!(
            "heartbeat interval {interval:?} must be non-zero and shorter than the registration ttl {ttl:?}, \
             or the instance expires between beats"
        )));
    }
    let address = listener.local_addr()?;
    let instance = ServiceInstance::new(
        format!("{}-{}", spec.name, address.port()),
        spec.name.clone(),
        address.to_string(),
    );
    let heartbeat = Arc::new(Heartbeat::new(
        infra.registry.clone(),
        instance.clone(),
        ttl,
    ));
    if let HeartbeatOutcome::Failed(e) = heartbeat.run_once().await {
        return Err(ServiceError::Registry(e));
    }

    let probe = Probe {
        name: spec.name.as_str().into(),
        instance_id: instance.id.as_str().into(),
        registry: infra.registry.clone(),
        checks: Arc::new(spec.ready_checks),
    };
    let probes = Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .with_state(probe);
    let app = spec
        .router
        .merge(probes)
        .layer(middleware::from_fn_with_state(
            infra.ids.clone(),
            request_id::assign,
        ));

    let (shutdown, mut stop_server) = watch::channel(false);
    let server = tokio::spawn(async move {
        // The peer address is kept so edge services (the gateway) can rate-limit per
        // client IP from the TCP connection rather than from spoofable headers.
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stop_server.wait_for(|stop| *stop).await;
        })
        .await
    });
    let mut stop_beats = shutdown.subscribe();
    let beat = heartbeat.clone();
    let beats = tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.tick().await;
        loop {
            tokio::select! {
                _ = ticks.tick() => { beat.run_once().await; }
                _ = stop_beats.changed() => break,
            }
        }
    });
    Ok(RunningService {
        name: spec.name,
        address,
        instance,
        registry: infra.registry.clone(),
        heartbeat,
        shutdown,
        server: Some(server),
        beats: Some(beats),
    })
}

impl RunningService {
    /// The service name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://host:port`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The registered instance.
    pub fn instance(&self) -> &ServiceInstance {
        &self.instance
    }

    /// Beats once now; tests on a manual clock call it after advancing time, since
    /// the background beat runs on real time.
    pub async fn beat_now(&self) -> HeartbeatOutcome {
        self.heartbeat.run_once().await
    }

    /// Stops accepting, drains in-flight requests, stops the heartbeat and
    /// deregisters.
    pub async fn stop(mut self) -> Result<(), ServiceError> {
        let _ = self.shutdown.send(true);
        if let Some(beats) = self.beats.take() {
            let _ = beats.await;
        }
        let served = match self.server.take() {
            Some(server) => server
                .await
                .map_err(|e| ServiceError::Join(e.to_string()))?,
            None => Ok(()),
        };
        self.registry.deregister(&self.instance.id).await?;
        served.map_err(ServiceError::Io)
    }

    /// Serves until `signal` resolves, then stops (binaries pass Ctrl-C).
    pub async fn run_until(self, signal: impl Future<Output = ()>) -> Result<(), ServiceError> {
        signal.await;
        self.stop().await
    }
}

impl Drop for RunningService {
    fn drop(&mut self) {
        // Dropped without `stop`: stop serving and beating; the registration then
        // lapses at its TTL, as after a crash.
        let _ = self.shutdown.send(true);
        if let Some(beats) = self.beats.take() {
            beats.abort();
        }
    }
}
