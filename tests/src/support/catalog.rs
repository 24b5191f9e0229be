//! Helpers for the catalog's tests: a catalog on an ephemeral port over the
//! embedded infrastructure and a manual clock, tokens it accepts, typed request
//! helpers that walk a video through its lifecycle, a tap on the events it
//! publishes, and database wrappers that count or fail the catalog's statements.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mediaflow_catalog::Settings;
use mediaflow_catalog::routes::VideoBody;
use mediaflow_shared::Infra;
use mediaflow_shared::auth::{Claims, JwtIssuer, JwtSettings, Role, SigningKey, TokenType};
use mediaflow_shared::chaos::ChaosStore;
use mediaflow_shared::clock::{Clock, ManualClock};
use mediaflow_shared::events::platform::{EVENTS_EXCHANGE, base_topology};
use mediaflow_shared::events::{
    ConsumeOptions, Consumer, EventBus, EventEnvelope, QueueSpec, Topology,
};
use mediaflow_shared::http::{HeartbeatSettings, RunningService};
use mediaflow_shared::store::{SqlDatabases, SqlStore, SqliteDatabases};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use super::counting::CountingStore;
use super::manual_clock;

/// The secret every catalog test signs with.
pub const TEST_SECRET: &[u8] = b"catalog-test-secret-0123456789abcdef";

/// A registration that outlives any test; the background beat runs on real time.
pub const LONG_HEARTBEAT: HeartbeatSettings = HeartbeatSettings {
    ttl: Duration::from_secs(24 * 3600),
    interval: Duration::from_secs(60),
};

/// How long a test waits for something asynchronous (an event, a counted view).
pub const WAIT: Duration = Duration::from_secs(5);

/// JWT settings around the test key.
pub fn jwt_settings() -> JwtSettings {
    JwtSettings::with_key(SigningKey::new("k1", TEST_SECRET.to_vec()).expect("valid test key"))
}

/// Settings for tests: the test key, a long registration, and a relay that only
/// runs when a commit wakes it (an hour between ticks), so counted statements
/// are the requests' own.
pub fn settings() -> Settings {
    let mut settings = Settings::new(jwt_settings());
    settings.heartbeat = LONG_HEARTBEAT;
    settings.outbox_tick = Duration::from_secs(3600);
    settings
}

/// Embedded infrastructure on a manual clock with seeded ids.
pub fn infra() -> (Arc<ManualClock>, Infra) {
    let (clock, shared) = manual_clock();
    (clock, Infra::embedded_with_clock(shared, 11))
}

/// A running catalog and what tests need around it.
#[derive(Debug)]
pub struct CatalogApp {
    /// The running service (taken by [`CatalogApp::stop`]).
    pub service: Option<RunningService>,
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// Client for requests.
    pub http: reqwest::Client,
    /// The infrastructure the catalog runs on.
    pub infra: Infra,
    /// The manual clock behind `infra`.
    pub clock: Arc<ManualClock>,
}

impl CatalogApp {
    /// A catalog with test settings on fresh embedded infrastructure.
    pub async fn spawn() -> Self {
        let (clock, infra) = infra();
        Self::spawn_on(infra, clock, settings()).await
    }

    /// A catalog on the given infrastructure and settings.
    pub async fn spawn_on(infra: Infra, clock: Arc<ManualClock>, settings: Settings) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binds port 0");
        let service = mediaflow_catalog::start(&infra, settings, listener)
            .await
            .expect("the catalog starts");
        Self {
            base_url: service.base_url(),
            service: Some(service),
            http: reqwest::Client::new(),
            infra,
            clock,
        }
    }

    /// Stops the service and deregisters it.
    pub async fn stop(&mut self) {
        if let Some(service) = self.service.take() {
            service.stop().await.expect("the catalog stops cleanly");
        }
    }

    /// `base_url` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// `base_url` + `path` with query parameters, percent-encoded.
    pub fn url_with(&self, path: &str, params: &[(&str, &str)]) -> reqwest::Url {
        reqwest::Url::parse_with_params(&self.url(path), params).expect("a valid url")
    }

    /// An access token for `sub` with `role`, valid for 15 minutes.
    pub fn token(&self, sub: &str, role: Role) -> String {
        self.sign(&claims(self.clock.as_ref(), sub, role, TokenType::Access))
    }

    /// Signs arbitrary claims with the test key.
    pub fn sign(&self, claims: &Claims) -> String {
        JwtIssuer::new(jwt_settings().keys).sign(claims)
    }

    /// `GET path`, with a token when given.
    pub async fn get(&self, token: Option<&str>, path: &str) -> reqwest::Response {
        let mut request = self.http.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.expect("the catalog answers")
    }

    /// `POST /videos` with a JSON body.
    pub async fn create(&self, token: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(self.url("/videos"))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("the catalog answers")
    }

    /// Creates a draft titled `title` in `genre` and returns it.
    pub async fn create_video(&self, token: &str, title: &str, genre: &str) -> VideoBody {
        let response = self.create(token, &video_body(title, genre)).await;
        assert_eq!(
            response.status(),
            201,
            "creating `{title}` must answer 201 Created"
        );
        response
            .json()
            .await
            .expect("a created video has a video body")
    }

    /// `POST /videos/{id}/{action}`, with `If-Match` when given.
    pub async fn act(
        &self,
        token: &str,
        id: &str,
        action: &str,
        if_match: Option<u64>,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .post(self.url(&format!("/videos/{id}/{action}")))
            .bearer_auth(token);
        if let Some(version) = if_match {
            request = request.header("if-match", format!("\"{version}\""));
        }
        request.send().await.expect("the catalog answers")
    }

    /// Applies `action` and returns the video, asserting 200.
    pub async fn act_ok(&self, token: &str, id: &str, action: &str) -> VideoBody {
        let response = self.act(token, id, action, None).await;
        assert_eq!(response.status(), 200, "`{action}` on {id} must succeed");
        response.json().await.expect("a video body")
    }

    /// Creates a video as `creator` and takes it to published as `admin`.
    pub async fn publish_video(
        &self,
        creator: &str,
        admin: &str,
        title: &str,
        genre: &str,
    ) -> VideoBody {
        let video = self.create_video(creator, title, genre).await;
        self.act_ok(creator, &video.id, "submit").await;
        self.act_ok(admin, &video.id, "processing-complete").await;
        self.act_ok(admin, &video.id, "publish").await
    }

    /// Waits (bounded by [`WAIT`]) until the relay has published every outbox row;
    /// true when it has.
    pub async fn outbox_drained(&self) -> bool {
        let db = self.infra.database("catalog");
        eventually(|| async {
            db.query(
                "SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL",
                &[],
            )
            .await
            .ok()
            .and_then(|rows| rows.first().and_then(|row| row.get::<i64>("n").ok()))
                == Some(0)
        })
        .await
    }

    /// `PATCH /videos/{id}` with an optional `If-Match` version.
    pub async fn patch(
        &self,
        token: &str,
        id: &str,
        if_match: Option<&str>,
        body: &Value,
    ) -> reqwest::Response {
        let mut request = self
            .http
            .patch(self.url(&format!("/videos/{id}")))
            .bearer_auth(token)
            .json(body);
        if let Some(value) = if_match {
            request = request.header("if-match", value);
        }
        request.send().await.expect("the catalog answers")
    }
}

/// Claims as the catalog expects them, valid for 15 minutes from `clock`'s now.
pub fn claims(clock: &dyn Clock, sub: &str, role: Role, typ: TokenType) -> Claims {
    let now = clock.now().timestamp();
    let jwt = jwt_settings();
    Claims {
        sub: sub.to_owned(),
        iss: jwt.issuer,
        aud: jwt.audience,
        exp: now + 900,
        nbf: now,
        iat: now,
        jti: format!("jti-{sub}-{now}"),
        typ,
        roles: vec![role],
        fam: None,
    }
}

/// A valid creation body.
pub fn video_body(title: &str, genre: &str) -> Value {
    json!({
        "title": title,
        "description": format!("About {title}"),
        "genre": genre,
        "tags": ["demo"],
        "duration_secs": 600
    })
}

/// A queue bound to the events exchange with `binding` (e.g. `catalog.video.#`),
/// consumed by the returned consumer. Declare it before the events are published.
pub async fn tap(bus: &dyn EventBus, queue: &str, binding: &str) -> Box<dyn Consumer> {
    base_topology()
        .merge(Topology::new().queue(QueueSpec::durable(queue)).bind(
            queue,
            EVENTS_EXCHANGE,
            binding,
        ))
        .declare(bus)
        .await
        .expect("the tap's topology declares");
    bus.consume(queue, ConsumeOptions::new(queue, 0))
        .await
        .expect("the tap consumes")
}

/// The next envelope on a tap (acknowledged), or `None` after [`WAIT`].
pub async fn next_event(consumer: &mut Box<dyn Consumer>) -> Option<(String, EventEnvelope)> {
    let delivery = tokio::time::timeout(WAIT, consumer.next()).await.ok()??;
    let envelope = EventEnvelope::from_delivery(&delivery).expect("catalog events are envelopes");
    let routing_key = delivery.routing_key.clone();
    delivery.ack().await.expect("the tap acknowledges");
    Some((routing_key, envelope))
}

/// Polls `check` until it holds or [`WAIT`] passes; true when it held.
pub async fn eventually<F, Fut>(mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    false
}

/// Embedded databases whose every database is wrapped, so tests can count or
/// fail the statements one service sends.
#[derive(Debug)]
pub struct WrappedDatabases<W> {
    inner: SqliteDatabases,
    wrapped: Mutex<BTreeMap<String, Arc<W>>>,
    wrap: fn(Arc<dyn SqlStore>) -> W,
}

impl<W> WrappedDatabases<W> {
    /// In-memory databases, each wrapped by `wrap` on first use.
    pub fn new(wrap: fn(Arc<dyn SqlStore>) -> W) -> Arc<Self> {
        Arc::new(Self {
            inner: SqliteDatabases::in_memory(),
            wrapped: Mutex::new(BTreeMap::new()),
            wrap,
        })
    }

    /// The wrapper of database `name` (created on first use).
    pub fn wrapper(&self, name: &str) -> Arc<W> {
        let mut wrapped = self.wrapped.lock().expect("wrapped databases poisoned");
        wrapped
            .entry(name.to_owned())
            .or_insert_with(|| Arc::new((self.wrap)(self.inner.database(name))))
            .clone()
    }
}

impl<W: SqlStore + 'static> SqlDatabases for WrappedDatabases<W> {
    fn database(&self, name: &str) -> Arc<dyn SqlStore> {
        self.wrapper(name)
    }
}

/// In-memory databases whose statements are counted.
pub fn counting_databases() -> Arc<WrappedDatabases<CountingStore>> {
    WrappedDatabases::new(CountingStore::new)
}

/// In-memory databases whose writes and commits can be failed on demand.
pub fn chaos_databases() -> Arc<WrappedDatabases<ChaosStore>> {
    WrappedDatabases::new(ChaosStore::new)
}
