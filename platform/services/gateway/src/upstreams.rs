//! The upstreams the gateway routes to: one resilient client per service, each
//! with its own breaker, so a failing service trips only its own circuit.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use mediaflow_shared::Infra;
use mediaflow_shared::http::{ReadyCheck, UpstreamClient, UpstreamPolicy};
use mediaflow_shared::registry::ServiceRegistry;

use crate::SERVICE;

/// Services reachable under `/api/<service>/…`; any other name is a 404.
pub const KNOWN_UPSTREAMS: [&str; 9] = [
    "auth",
    "users",
    "upload",
    "transcode",
    "catalog",
    "streaming",
    "recommendations",
    "billing",
    "analytics",
];

/// One [`UpstreamClient`] per known upstream.
#[derive(Debug)]
pub struct Upstreams {
    clients: BTreeMap<&'static str, UpstreamClient>,
}

impl Upstreams {
    /// Clients for every known upstream over the infra's registry and network.
    pub fn new(infra: &Infra, policy: UpstreamPolicy, http: &reqwest::Client) -> Self {
        let clients = KNOWN_UPSTREAMS
            .into_iter()
            .map(|name| {
                (
                    name,
                    UpstreamClient::new(SERVICE, name, infra, policy, http.clone()),
                )
            })
            .collect();
        Self { clients }
    }

    /// The client for `service`, if it is a known upstream.
    pub fn get(&self, service: &str) -> Option<&UpstreamClient> {
        self.clients.get(service)
    }
}

/// `/ready` check: every required upstream has a healthy instance right now.
#[derive(Debug)]
pub struct RequiredUpstreams {
    registry: Arc<dyn ServiceRegistry>,
    required: Vec<String>,
}

impl RequiredUpstreams {
    /// Checks `required` in `registry`.
    pub fn new(registry: Arc<dyn ServiceRegistry>, required: Vec<String>) -> Self {
        Self { registry, required }
    }
}

#[async_trait]
impl ReadyCheck for RequiredUpstreams {
    async fn check(&self) -> Result<(), String> {
        let mut missing = Vec::new();
        for service in &self.required {
            match self.registry.healthy_instances(service).await {
                Ok(instances) if !instances.is_empty() => {}
                Ok(_) => missing.push(service.clone()),
                Err(e) => return Err(format!("registry unavailable: {e}")),
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!("no healthy instance of {}", missing.join(", ")))
        }
    }
}
