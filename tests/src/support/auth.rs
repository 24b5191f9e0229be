//! Helpers for the auth service's tests: the service on an ephemeral port over the
//! embedded infrastructure and a manual clock with cheap Argon2 costs, typed HTTP
//! calls, a probe queue for its events, token decoding, and a database override
//! to put a counting or fault-injecting store under the service.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mediaflow_auth::{HashingParams, Settings};
use mediaflow_shared::Infra;
use mediaflow_shared::auth::{JwtSettings, SigningKey};
use mediaflow_shared::clock::ManualClock;
use mediaflow_shared::events::platform::EVENTS_EXCHANGE;
use mediaflow_shared::events::{ConsumeOptions, Consumer, EventBus, EventEnvelope, QueueSpec};
use mediaflow_shared::http::{HeartbeatSettings, RunningService};
use mediaflow_shared::store::{SqlDatabases, SqlStore};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::manual_clock;

/// The secret auth tests sign with (`kid` `k1`).
pub const TEST_SECRET: &[u8] = b"auth-test-signing-secret-0123456789abcdef";

/// A password that meets the policy.
pub const PASSWORD: &str = "correct horse battery staple";

/// A registration that outlives any test; the background beat runs on real time.
pub const LONG_HEARTBEAT: HeartbeatSettings = HeartbeatSettings {
    ttl: Duration::from_secs(24 * 3600),
    interval: Duration::from_secs(60),
};

/// Argon2id costs low enough for hundreds of hashes per test run.
pub const CHEAP_HASHING: HashingParams = HashingParams {
    memory_kib: 256,
    iterations: 1,
    parallelism: 1,
};

/// JWT settings around the test key.
pub fn jwt_settings() -> JwtSettings {
    JwtSettings::with_key(SigningKey::new("k1", TEST_SECRET.to_vec()).expect("valid test key"))
}

/// Production settings except for cheap hashing and a long heartbeat.
pub fn settings() -> Settings {
    let mut settings = Settings::new(jwt_settings());
    settings.hashing = CHEAP_HASHING;
    settings.heartbeat = LONG_HEARTBEAT;
    settings
}

/// Embedded infrastructure on a manual clock with seeded ids.
pub fn infra() -> (Arc<ManualClock>, Infra) {
    let (clock, shared) = manual_clock();
    (clock, Infra::embedded_with_clock(shared, 17))
}

/// Serves one database name from a given store and every other name from the
/// databases it wraps, to slide a decorator under one service.
#[derive(Debug)]
pub struct OverrideDatabase {
    name: String,
    store: Arc<dyn SqlStore>,
    rest: Arc<dyn SqlDatabases>,
}

impl OverrideDatabase {
    /// `name` is served by `store`, the rest by `rest`.
    pub fn new(name: &str, store: Arc<dyn SqlStore>, rest: Arc<dyn SqlDatabases>) -> Self {
        Self {
            name: name.to_owned(),
            store,
            rest,
        }
    }
}

impl SqlDatabases for OverrideDatabase {
    fn database(&self, name: &str) -> Arc<dyn SqlStore> {
        if name == self.name {
            Arc::clone(&self.store)
        } else {
            self.rest.database(name)
        }
    }
}

/// `infra` with the auth database replaced by `store`.
pub fn with_auth_store(infra: &Infra, store: Arc<dyn SqlStore>) -> Infra {
    let databases = OverrideDatabase::new(mediaflow_auth::SERVICE, store, infra.databases.clone());
    infra.clone().with_databases(Arc::new(databases))
}

/// An HTTP answer: status, headers and the body as JSON (`Null` when empty).
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Response headers.
    pub headers: reqwest::header::HeaderMap,
    /// Parsed body.
    pub body: Value,
}

impl Reply {
    /// `error.code` of an error body, or `""`.
    pub fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// A string field of the body, or `""`.
    pub fn text(&self, field: &str) -> String {
        self.body[field].as_str().unwrap_or("").to_owned()
    }
}

/// A running auth service with its infrastructure and an HTTP client.
#[derive(Debug)]
pub struct AuthHarness {
    /// The manual clock behind `infra` (when the harness built it).
    pub clock: Arc<ManualClock>,
    /// The infrastructure the service runs on.
    pub infra: Infra,
    /// The service.
    pub service: RunningService,
    /// Client for calls.
    pub http: reqwest::Client,
}

impl AuthHarness {
    /// The service with [`settings`] on fresh embedded infrastructure.
    pub async fn start() -> Self {
        let (clock, infra) = infra();
        Self::start_on(clock, infra, settings()).await
    }

    /// The service with `settings` on fresh embedded infrastructure.
    pub async fn start_with(settings: Settings) -> Self {
        let (clock, infra) = infra();
        Self::start_on(clock, infra, settings).await
    }

    /// The service on given infrastructure (whose clock `clock` drives).
    pub async fn start_on(clock: Arc<ManualClock>, infra: Infra, settings: Settings) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("an ephemeral port is free");
        let service = mediaflow_auth::start(&infra, settings, listener)
            .await
            .expect("the auth service starts");
        Self {
            clock,
            infra,
            service,
            http: reqwest::Client::new(),
        }
    }

    /// Absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.service.base_url())
    }

    /// Sends a request and collects the reply.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("the auth service answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("the body is readable");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(self.http.post(self.url(path)).json(body)).await
    }

    /// `GET path` with a bearer token.
    pub async fn get_with_token(&self, path: &str, token: &str) -> Reply {
        self.send(self.http.get(self.url(path)).bearer_auth(token))
            .await
    }

    /// `POST path` with a bearer token and a JSON body.
    pub async fn post_with_token(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.send(self.http.post(self.url(path)).bearer_auth(token).json(body))
            .await
    }

    /// `POST /register`.
    pub async fn register_raw(&self, email: &str, password: &str, display_name: &str) -> Reply {
        self.post(
            "/register",
            &json!({ "email": email, "password": password, "display_name": display_name }),
        )
        .await
    }

    /// Registers `email` with [`PASSWORD`]; the new user id.
    pub async fn register(&self, email: &str) -> String {
        let reply = self.register_raw(email, PASSWORD, "Test User").await;
        assert_eq!(
            reply.status, 201,
            "registering {email} must succeed: {:?}",
            reply.body
        );
        reply.text("user_id")
    }

    /// `POST /login`.
    pub async fn login_raw(&self, email: &str, password: &str) -> Reply {
        self.post("/login", &json!({ "email": email, "password": password }))
            .await
    }

    /// Logs in with [`PASSWORD`]; `(access_token, refresh_token)`.
    pub async fn login(&self, email: &str) -> (String, String) {
        let reply = self.login_raw(email, PASSWORD).await;
        assert_eq!(
            reply.status, 200,
            "logging in as {email} must succeed: {:?}",
            reply.body
        );
        (reply.text("access_token"), reply.text("refresh_token"))
    }

    /// `POST /refresh`.
    pub async fn refresh(&self, refresh_token: &str) -> Reply {
        self.post("/refresh", &json!({ "refresh_token": refresh_token }))
            .await
    }

    /// `POST /logout`.
    pub async fn logout(&self, refresh_token: &str) -> Reply {
        self.post("/logout", &json!({ "refresh_token": refresh_token }))
            .await
    }

    /// `GET /me`.
    pub async fn me(&self, access_token: &str) -> Reply {
        self.get_with_token("/me", access_token).await
    }

    /// `POST /admin/users/{user_id}/roles`.
    pub async fn set_roles(&self, admin_token: &str, user_id: &str, roles: &[&str]) -> Reply {
        self.post_with_token(
            &format!("/admin/users/{user_id}/roles"),
            admin_token,
            &json!({ "roles": roles }),
        )
        .await
    }

    /// Stops the service.
    pub async fn stop(self) {
        self.service
            .stop()
            .await
            .expect("the auth service stops cleanly");
    }
}

/// The decoded JSON header of a compact JWT.
pub fn jwt_header(token: &str) -> Value {
    jwt_part(token, 0)
}

/// The decoded JSON claims of a compact JWT (signature not checked).
pub fn jwt_claims(token: &str) -> Value {
    jwt_part(token, 1)
}

fn jwt_part(token: &str, index: usize) -> Value {
    let part = token
        .split('.')
        .nth(index)
        .expect("a compact JWT has three parts");
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .expect("JWT parts are base64url");
    serde_json::from_slice(&bytes).expect("JWT parts are JSON")
}

/// A queue bound to the events exchange that collects the auth service's events.
#[derive(Debug)]
pub struct EventProbe {
    consumer: Box<dyn Consumer>,
}

impl EventProbe {
    /// Binds a fresh queue `name` to the events exchange with `binding_key` (e.g.
    /// `auth.#`). Bind it after the service started (its topology declares the
    /// exchange) and before the events are published.
    pub async fn bind(bus: &dyn EventBus, name: &str, binding_key: &str) -> Self {
        bus.declare_queue(&QueueSpec::durable(name))
            .await
            .expect("probe queue declared");
        bus.bind_queue(name, EVENTS_EXCHANGE, binding_key)
            .await
            .expect("probe queue bound to the events exchange");
        let consumer = bus
            .consume(name, ConsumeOptions::new("auth-probe", 0))
            .await
            .expect("probe consumer attached");
        Self { consumer }
    }

    /// The next event with its routing key, waiting at most two seconds.
    pub async fn next(&mut self) -> Option<(String, EventEnvelope)> {
        let delivery = tokio::time::timeout(Duration::from_secs(2), self.consumer.next())
            .await
            .ok()
            .flatten()?;
        let key = delivery.routing_key.clone();
        let envelope =
            EventEnvelope::from_delivery(&delivery).expect("auth publishes valid envelopes");
        delivery.ack().await.expect("ack");
        Some((key, envelope))
    }

    /// Events already delivered, without waiting.
    pub async fn drain(&mut self) -> Vec<(String, EventEnvelope)> {
        let mut events = Vec::new();
        while let Some(delivery) = self.consumer.try_next() {
            let key = delivery.routing_key.clone();
            let envelope =
                EventEnvelope::from_delivery(&delivery).expect("auth publishes valid envelopes");
            delivery.ack().await.expect("ack");
            events.push((key, envelope));
        }
        events
    }
}

/// The auth use cases without HTTP, over `infra`'s migrated auth database, for
/// tests that count hashing work or drive concurrency directly.
pub async fn core(infra: &Infra, settings: &Settings) -> Arc<mediaflow_auth::AuthService> {
    mediaflow_auth::migrations::apply(infra.database(mediaflow_auth::SERVICE).as_ref())
        .await
        .expect("the auth database migrates");
    Arc::new(mediaflow_auth::AuthService::new(infra, settings).expect("the auth service builds"))
}

/// A registration request with [`PASSWORD`].
pub fn registration(email: &str) -> mediaflow_auth::Registration {
    mediaflow_auth::Registration {
        email: email.to_owned(),
        password: mediaflow_auth::domain::Password::new(PASSWORD),
        display_name: "Test User".to_owned(),
    }
}
