//! Helpers for the auth service's tests: the service on an ephemeral port over the
//! embedded infrastructure and a manual clock with cheap Argon2 costs, typed HTTP
//! calls, token decoding, and its use cases without HTTP.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mediaflow_auth::Settings;
use mediaflow_shared::Infra;
use mediaflow_shared::clock::ManualClock;
use mediaflow_shared::http::RunningService;
use serde_json::{Value, json};

use super::fixtures::{CHEAP_HASHING, LONG_HEARTBEAT, ephemeral_listener, infra, jwt_settings};
use super::http::{Reply, send, url};

/// A password that meets the policy.
pub const PASSWORD: &str = "correct horse battery staple";

/// Production settings except for cheap hashing and a long heartbeat.
pub fn settings() -> Settings {
    let mut settings = Settings::new(jwt_settings());
    settings.hashing = CHEAP_HASHING;
    settings.heartbeat = LONG_HEARTBEAT;
    settings
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
        let service = mediaflow_auth::start(&infra, settings, ephemeral_listener().await)
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
        url(&self.service, path)
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        send(self.http.post(self.url(path)).json(body)).await
    }

    /// `GET path` with a bearer token.
    pub async fn get_with_token(&self, path: &str, token: &str) -> Reply {
        send(self.http.get(self.url(path)).bearer_auth(token)).await
    }

    /// `POST path` with a bearer token and a JSON body.
    pub async fn post_with_token(&self, path: &str, token: &str, body: &Value) -> Reply {
        send(self.http.post(self.url(path)).bearer_auth(token).json(body)).await
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
