//! Helpers for the catalog's tests: a catalog on an ephemeral port over the
//! embedded infrastructure and a manual clock, tokens it accepts, typed request
//! helpers that walk a video through its lifecycle, and polling for what happens
//! in the background.

use std::sync::Arc;
use std::time::Duration;

use mediaflow_catalog::Settings;
use mediaflow_catalog::routes::VideoBody;
use mediaflow_shared::Infra;
use mediaflow_shared::auth::{Role, TokenType};
use mediaflow_shared::clock::ManualClock;
use mediaflow_shared::http::RunningService;
use serde_json::{Value, json};

use super::fixtures::{LONG_HEARTBEAT, claims, ephemeral_listener, infra, jwt_settings, sign};

/// How long a test waits for something asynchronous (an event, a counted view).
pub const WAIT: Duration = Duration::from_secs(5);

/// Settings for tests: the test key, a long registration, and a relay that only
/// runs when a commit wakes it (an hour between ticks), so counted statements
/// are the requests' own.
pub fn settings() -> Settings {
    let mut settings = Settings::new(jwt_settings());
    settings.heartbeat = LONG_HEARTBEAT;
    settings.outbox_tick = Duration::from_secs(3600);
    settings
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
        let service = mediaflow_catalog::start(&infra, settings, ephemeral_listener().await)
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
        sign(&claims(
            self.clock.as_ref(),
            sub,
            &[role],
            TokenType::Access,
        ))
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
