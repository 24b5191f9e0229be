//! An API double of a Consul agent: an HTTP server on a loopback port that
//! implements only the documented subset of Consul's HTTP API the registry adapter
//! uses, so the adapter's requests and its reading of the answers are tested for
//! real while no Consul can be installed here. It is not Consul: no catalog, no
//! nodes, no ACLs, no blocking queries, no reaping after
//! `DeregisterCriticalServiceAfter`.
//!
//! - `PUT /v1/agent/service/register`: `ID`, `Name`, `Address`, `Port`, `Meta` and
//!   one TTL `Check` (`CheckID`, default `service:<ID>`; `TTL` as a Go duration;
//!   `Status`, default `critical`, as in Consul); 400 without `Name`.
//! - `PUT /v1/agent/check/pass/<check id>`: passing again for another TTL; 404
//!   for an unknown check.
//! - `PUT /v1/agent/service/deregister/<id>`: 404 for an unknown service.
//! - `GET /v1/agent/checks`: check id → `{CheckID, ServiceID, Status}`.
//! - `GET /v1/health/service/<name>?passing`: `[{Node, Service, Checks}]`,
//!   only passing ones when `passing` is given.
//!
//! A check whose TTL lapsed turns `critical` (judged on the double's clock, so a
//! manual clock makes expiry instant) and a pass revives it, as in Consul.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use mediaflow_shared::clock::{SharedClock, Timestamp, chrono_duration};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Registration {
    #[serde(rename = "ID", default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    port: u16,
    #[serde(default)]
    meta: BTreeMap<String, String>,
    check: Option<CheckDefinition>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CheckDefinition {
    #[serde(rename = "CheckID")]
    check_id: Option<String>,
    #[serde(rename = "TTL")]
    ttl: String,
    status: Option<String>,
}

#[derive(Debug)]
struct Check {
    service_id: String,
    ttl: Duration,
    passing_until: Option<Timestamp>,
}

#[derive(Debug, Default)]
struct Agent {
    services: HashMap<String, Value>,
    checks: BTreeMap<String, Check>,
}

#[derive(Clone)]
struct Shared {
    clock: SharedClock,
    agent: Arc<Mutex<Agent>>,
}

impl Shared {
    fn status(&self, check: &Check) -> &'static str {
        match check.passing_until {
            Some(until) if self.clock.now() < until => "passing",
            _ => "critical",
        }
    }
}

/// A running double; it stops when the test's runtime ends.
#[derive(Debug, Clone, Copy)]
pub struct ConsulDouble {
    addr: SocketAddr,
}

impl ConsulDouble {
    /// Starts a double on an ephemeral loopback port, judging TTLs on `clock`.
    pub async fn start(clock: SharedClock) -> Self {
        let shared = Shared {
            clock,
            agent: Arc::new(Mutex::new(Agent::default())),
        };
        let app = Router::new()
            .route("/v1/agent/service/register", put(register))
            .route("/v1/agent/check/pass/{check}", put(pass))
            .route("/v1/agent/service/deregister/{id}", put(deregister))
            .route("/v1/agent/checks", get(checks))
            .route("/v1/health/service/{name}", get(health))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the Consul double");
        let addr = listener.local_addr().expect("bound address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// A Go duration of the forms the adapter sends (`150ms`, `10s`, `1m`).
fn parse_go_duration(text: &str) -> Option<Duration> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    match unit {
        "ms" => Some(Duration::from_millis(number)),
        "s" => Some(Duration::from_secs(number)),
        "m" => Some(Duration::from_secs(number * 60)),
        _ => None,
    }
}

fn answer(status: StatusCode, text: &str) -> Response {
    (status, text.to_owned()).into_response()
}

async fn register(State(shared): State<Shared>, Json(body): Json<Registration>) -> Response {
    if body.name.is_empty() {
        return answer(StatusCode::BAD_REQUEST, "Missing service name");
    }
    let id = if body.id.is_empty() {
        body.name.clone()
    } else {
        body.id.clone()
    };
    let mut agent = shared.agent.lock().expect("double poisoned");
    agent.checks.retain(|_, check| check.service_id != id);
    if let Some(definition) = &body.check {
        let Some(ttl) = parse_go_duration(&definition.ttl) else {
            return answer(StatusCode::BAD_REQUEST, "Invalid TTL");
        };
        let passing = definition.status.as_deref() == Some("passing");
        let check_id = definition
            .check_id
            .clone()
            .unwrap_or_else(|| format!("service:{id}"));
        let check = Check {
            service_id: id.clone(),
            ttl,
            passing_until: passing.then(|| shared.clock.now() + chrono_duration(ttl)),
        };
        agent.checks.insert(check_id, check);
    }
    let service = json!({
        "ID": id, "Service": body.name, "Address": body.address, "Port": body.port, "Meta": body.meta,
    });
    agent.services.insert(id, service);
    answer(StatusCode::OK, "")
}

async fn pass(State(shared): State<Shared>, Path(check_id): Path<String>) -> Response {
    let now = shared.clock.now();
    let mut agent = shared.agent.lock().expect("double poisoned");
    match agent.checks.get_mut(&check_id) {
        Some(check) => {
            check.passing_until = Some(now + chrono_duration(check.ttl));
            answer(StatusCode::OK, "")
        }
        None => answer(
            StatusCode::NOT_FOUND,
            &format!("Unknown check ID \"{check_id}\""),
        ),
    }
}

async fn deregister(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    let mut agent = shared.agent.lock().expect("double poisoned");
    if agent.services.remove(&id).is_none() {
        return answer(
            StatusCode::NOT_FOUND,
            &format!("Unknown service ID \"{id}\""),
        );
    }
    agent.checks.retain(|_, check| check.service_id != id);
    answer(StatusCode::OK, "")
}

async fn checks(State(shared): State<Shared>) -> Json<Value> {
    let agent = shared.agent.lock().expect("double poisoned");
    let map: serde_json::Map<String, Value> = agent
        .checks
        .iter()
        .map(|(id, check)| {
            let status = shared.status(check);
            (
                id.clone(),
                json!({"CheckID": id, "ServiceID": check.service_id, "Status": status}),
            )
        })
        .collect();
    Json(Value::Object(map))
}

async fn health(
    State(shared): State<Shared>,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Json<Value> {
    let only_passing = query.contains_key("passing");
    let agent = shared.agent.lock().expect("double poisoned");
    let entries: Vec<Value> = agent
        .services
        .iter()
        .filter(|(_, service)| service["Service"] == name.as_str())
        .filter_map(|(id, service)| {
            let checks: Vec<Value> = agent
                .checks
                .iter()
                .filter(|(_, check)| &check.service_id == id)
                .map(|(check_id, check)| json!({"CheckID": check_id, "Status": shared.status(check)}))
                .collect();
            let passing = checks.iter().all(|c| c["Status"] == "passing");
            (passing || !only_passing).then(|| {
                json!({"Node": {"Node": "double", "Address": "127.0.0.1"}, "Service": service, "Checks": checks})
            })
        })
        .collect();
    Json(Value::Array(entries))
}
