//! The service registry on Consul's HTTP API, through one agent:
//! `PUT /v1/agent/service/register` with a TTL check, `PUT
//! /v1/agent/check/pass/service:<id>` as the heartbeat, `PUT
//! /v1/agent/service/deregister/<id>`, and `GET /v1/health/service/<name>?passing`
//! for lookups. Expiry follows the agent's clock.
//!
//! Where Consul differs from the embedded registry, the adapter bridges it:
//! - a TTL check starts critical unless told otherwise: it is registered passing;
//! - a lapsed TTL only turns the check critical, and a later pass would revive it;
//!   the embedded contract says a lapsed instance is gone and must register again,
//!   so a heartbeat reads the agent's checks first and, finding the check critical
//!   or missing, deregisters it and answers [`RegistryError::NotRegistered`]
//!   (`deregister` reads them too, to say whether the instance was live);
//! - Consul keeps `Address` and `Port` apart: `host:port` is split on the last
//!   `:` and joined again on lookup (port 0 when the address has none);
//! - critical services are reaped by the agent after
//!   `DeregisterCriticalServiceAfter` (one minute, Consul's minimum).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::json;
use url::Url;

use super::api::{RegistryError, ServiceInstance, ServiceRegistry};
use super::memory::validate;
use crate::config::{ConfigError, Env};

/// The variable naming the Consul agent of the registry.
pub const CONSUL_URL_VAR: &str = "MEDIAFLOW_CONSUL_URL";

/// Bound on one request: an agent that went away fails here, never hangs.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// [`ServiceRegistry`] on a Consul agent.
#[derive(Clone)]
pub struct ConsulRegistry {
    http: reqwest::Client,
    /// `http://host:port`, without credentials.
    base: Url,
    /// ACL token from the URL's password, sent as `X-Consul-Token`.
    token: Option<String>,
}

impl fmt::Debug for ConsulRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsulRegistry")
            .field("url", &self.base.as_str())
            .field("token", &self.token.as_ref().map(|_| "***"))
            .finish()
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AgentCheck {
    status: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HealthEntry {
    service: HealthService,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HealthService {
    #[serde(rename = "ID")]
    id: String,
    service: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    port: u16,
    #[serde(default)]
    meta: Option<BTreeMap<String, String>>,
}

/// `host:port` as Consul's `Address` and `Port`.
fn split_address(address: &str) -> (&str, u16) {
    match address.rsplit_once(':') {
        Some((host, port)) => match port.parse() {
            Ok(port) => (host, port),
            Err(_) => (address, 0),
        },
        None => (address, 0),
    }
}

/// A Go duration Consul parses, in whole milliseconds rounded up.
fn go_duration(ttl: Duration) -> String {
    let millis = ttl.as_nanos().div_ceil(1_000_000).max(1);
    format!("{millis}ms")
}

fn check_id(instance_id: &str) -> String {
    format!("service:{instance_id}")
}

/// Where the Consul registry connects, read from `MEDIAFLOW_CONSUL_URL`.
#[derive(Clone)]
pub struct ConsulSettings {
    /// `http://host:port/`, without credentials.
    base: Url,
    /// ACL token from the URL's password, sent as `X-Consul-Token`.
    token: Option<String>,
}

impl fmt::Debug for ConsulSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConsulSettings")
            .field("url", &self.base.as_str())
            .field("token", &self.token.as_ref().map(|_| "***"))
            .finish()
    }
}

impl ConsulSettings {
    /// Settings from `http://host:port` (a password, as in `http://:TOKEN@host:port`,
    /// is sent as the ACL token).
    pub fn from_url(url: &str) -> Result<Self, String> {
        let mut base = Url::parse(url).map_err(|e| format!("an http:// URL ({e})"))?;
        if base.scheme() != "http" {
            return Err(format!(
                "an http:// URL (TLS is not built in), not {}://",
                base.scheme()
            ));
        }
        let token = base.password().map(str::to_owned);
        let _ = base.set_username("");
        let _ = base.set_password(None);
        base.set_path("/");
        base.set_query(None);
        Ok(Self { base, token })
    }

    /// The settings when `MEDIAFLOW_CONSUL_URL` is set, `None` when it is not.
    pub fn from_env(env: &Env) -> Result<Option<Self>, ConfigError> {
        let Some(url) = env.raw(CONSUL_URL_VAR) else {
            return Ok(None);
        };
        Self::from_url(url)
            .map(Some)
            .map_err(|expected| ConfigError::Invalid {
                var: CONSUL_URL_VAR.to_owned(),
                value: Url::parse(url).map_or_else(
                    |_| "***".to_owned(),
                    |mut u| {
                        if u.password().is_some() {
                            let _ = u.set_password(Some("***"));
                        }
                        u.to_string()
                    },
                ),
                expected,
            })
    }

    /// The agent's URL (without token).
    pub fn url(&self) -> &str {
        self.base.as_str()
    }
}

impl ConsulRegistry {
    /// A registry on the agent the settings name; nothing is sent until first use.
    pub fn new(settings: ConsulSettings) -> Self {
        // Only a TLS backend or a broken system resolver makes building fail;
        // neither is configured here.
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .unwrap_or_default();
        Self {
            http,
            base: settings.base,
            token: settings.token,
        }
    }

    /// The agent's URL (without token), for status lines.
    pub fn url(&self) -> &str {
        self.base.as_str()
    }

    /// `/v1/<path segments…>`, each segment percent-encoded.
    fn endpoint(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().push("v1").extend(segments);
        }
        url
    }

    /// Sends a request; answers with the status and body, or `Unavailable` naming the URL.
    async fn call(
        &self,
        method: Method,
        url: Url,
        body: Option<serde_json::Value>,
    ) -> Result<(StatusCode, String), RegistryError> {
        let shown = url.to_string();
        let mut request = self.http.request(method.clone(), url);
        if let Some(token) = &self.token {
            request = request.header("x-consul-token", token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let unavailable =
            |e: reqwest::Error| RegistryError::Unavailable(format!("Consul {method} {shown}: {e}"));
        let response = request.send().await.map_err(unavailable)?;
        let status = response.status();
        let text = response.text().await.map_err(unavailable)?;
        Ok((status, text))
    }

    fn refused(method: &str, url: &Url, status: StatusCode, body: &str) -> RegistryError {
        RegistryError::Unavailable(format!(
            "Consul {method} {url} answered {status}: {}",
            body.trim()
        ))
    }

    /// The status of the instance's TTL check on the agent, `None` when it has none.
    async fn check_status(&self, instance_id: &str) -> Result<Option<String>, RegistryError> {
        let url = self.endpoint(&["agent", "checks"]);
        let (status, body) = self.call(Method::GET, url.clone(), None).await?;
        if !status.is_success() {
            return Err(Self::refused("GET", &url, status, &body));
        }
        let checks: BTreeMap<String, AgentCheck> = serde_json::from_str(&body).map_err(|e| {
            RegistryError::Unavailable(format!("Consul GET {url} answered unreadable JSON: {e}"))
        })?;
        Ok(checks.get(&check_id(instance_id)).map(|c| c.status.clone()))
    }

    /// Removes the service from the agent; an unknown one is not an error.
    async fn remove(&self, instance_id: &str) -> Result<(), RegistryError> {
        let url = self.endpoint(&["agent", "service", "deregister", instance_id]);
        let (status, body) = self.call(Method::PUT, url.clone(), None).await?;
        // Consul answers 404 (500 before 1.11) for an unknown service id.
        let unknown = status == StatusCode::NOT_FOUND || body.contains("Unknown service");
        if status.is_success() || unknown {
            Ok(())
        } else {
            Err(Self::refused("PUT", &url, status, &body))
        }
    }
}

#[async_trait]
impl ServiceRegistry for ConsulRegistry {
    async fn register(
        &self,
        instance: ServiceInstance,
        ttl: Duration,
    ) -> Result<(), RegistryError> {
        validate(&instance, ttl)?;
        let (address, port) = split_address(&instance.address);
        let body = json!({
            "ID": instance.id,
            "Name": instance.service,
            "Address": address,
            "Port": port,
            "Meta": instance.metadata,
            "Check": {
                "CheckID": check_id(&instance.id),
                "Name": format!("{} TTL", instance.service),
                "TTL": go_duration(ttl),
                "Status": "passing",
                "DeregisterCriticalServiceAfter": "1m",
            },
        });
        let url = self.endpoint(&["agent", "service", "register"]);
        let (status, text) = self.call(Method::PUT, url.clone(), Some(body)).await?;
        match status {
            s if s.is_success() => Ok(()),
            StatusCode::BAD_REQUEST => Err(RegistryError::Invalid(text.trim().to_owned())),
            _ => Err(Self::refused("PUT", &url, status, &text)),
        }
    }

    async fn heartbeat(&self, instance_id: &str) -> Result<(), RegistryError> {
        let not_registered = || RegistryError::NotRegistered(instance_id.to_owned());
        match self.check_status(instance_id).await?.as_deref() {
            None => return Err(not_registered()),
            Some("critical") => {
                self.remove(instance_id).await?;
                return Err(not_registered());
            }
            Some(_) => {}
        }
        let url = self.endpoint(&["agent", "check", "pass", &check_id(instance_id)]);
        let (status, body) = self.call(Method::PUT, url.clone(), None).await?;
        if status.is_success() {
            Ok(())
        } else if status == StatusCode::NOT_FOUND || body.contains("Unknown check") {
            // Deregistered between the two requests.
            Err(not_registered())
        } else {
            Err(Self::refused("PUT", &url, status, &body))
        }
    }

    async fn deregister(&self, instance_id: &str) -> Result<bool, RegistryError> {
        let live = self
            .check_status(instance_id)
            .await?
            .is_some_and(|status| status != "critical");
        self.remove(instance_id).await?;
        Ok(live)
    }

    async fn healthy_instances(
        &self,
        service: &str,
    ) -> Result<Vec<ServiceInstance>, RegistryError> {
        if service.trim().is_empty() {
            return Err(RegistryError::Invalid(
                "service name is empty; look up a service by its name".to_owned(),
            ));
        }
        let mut url = self.endpoint(&["health", "service", service]);
        url.set_query(Some("passing"));
        let (status, body) = self.call(Method::GET, url.clone(), None).await?;
        if !status.is_success() {
            return Err(Self::refused("GET", &url, status, &body));
        }
        let entries: Vec<HealthEntry> = serde_json::from_str(&body).map_err(|e| {
            RegistryError::Unavailable(format!("Consul GET {url} answered unreadable JSON: {e}"))
        })?;
        let mut found: Vec<ServiceInstance> = entries
            .into_iter()
            .map(|entry| {
                let service = entry.service;
                let address = if service.port == 0 {
                    service.address
                } else {
                    format!("{}:{}", service.address, service.port)
                };
                ServiceInstance {
                    id: service.id,
                    service: service.service,
                    address,
                    metadata: service.meta.unwrap_or_default(),
                }
            })
            .collect();
        found.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(found)
    }
}
