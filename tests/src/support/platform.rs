//! The platform harness: starts any set of services in one process, each on an
//! ephemeral port, over one shared [`Infra`]; waits until each is ready; and gives
//! typed request helpers and token minting. Services still talk to each other only
//! over HTTP and the bus, exactly as when they run as separate processes.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use mediaflow_shared::Infra;
use mediaflow_shared::auth::{Claims, JwtIssuer, JwtSettings, Role, SigningKey, TokenType};
use mediaflow_shared::http::RunningService;
use reqwest::header::HeaderMap;
use tokio::net::TcpListener;

/// A service the harness can start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Svc {
    /// Accounts and tokens.
    Auth,
    /// Videos.
    Catalog,
    /// Subscriptions and payments.
    Billing,
    /// The public entry point (started last: it waits for the others).
    Gateway,
}

impl Svc {
    /// Every service the harness knows, in start order.
    pub const ALL: [Svc; 4] = [Svc::Auth, Svc::Catalog, Svc::Billing, Svc::Gateway];

    /// The registered service name.
    pub fn name(self) -> &'static str {
        match self {
            Svc::Auth => mediaflow_auth::SERVICE,
            Svc::Catalog => mediaflow_catalog::SERVICE,
            Svc::Billing => mediaflow_billing::SERVICE,
            Svc::Gateway => mediaflow_gateway::SERVICE,
        }
    }
}

/// The signing key of every harness platform.
pub const TEST_SIGNING_SECRET: &[u8] = b"mediaflow-test-signing-key-0123456789";

/// JWT settings of harness platforms (key id `test-1`).
pub fn test_jwt() -> JwtSettings {
    JwtSettings::with_key(
        SigningKey::new("test-1", TEST_SIGNING_SECRET.to_vec()).expect("a valid test key"),
    )
}

/// Argon2id costs small enough for tests (the production default is OWASP's).
pub fn cheap_hashing() -> mediaflow_auth::HashingParams {
    mediaflow_auth::HashingParams {
        memory_kib: 256,
        iterations: 1,
        parallelism: 1,
    }
}

/// Configures and starts a [`TestPlatform`].
#[derive(Debug)]
pub struct PlatformBuilder {
    infra: Infra,
    jwt: JwtSettings,
    services: Vec<Svc>,
    auth: mediaflow_auth::Settings,
    catalog: mediaflow_catalog::Settings,
    billing: mediaflow_billing::Settings,
    gateway: mediaflow_gateway::Settings,
}

impl PlatformBuilder {
    /// A builder over `infra` with every service's defaults, cheap password hashing
    /// and the test signing key.
    pub fn new(infra: Infra) -> Self {
        let jwt = test_jwt();
        let mut auth = mediaflow_auth::Settings::new(jwt.clone());
        auth.hashing = cheap_hashing();
        let mut gateway = mediaflow_gateway::Settings::new(jwt.clone());
        gateway.readiness.timeout = Duration::from_secs(5);
        Self {
            infra,
            services: Svc::ALL.to_vec(),
            catalog: mediaflow_catalog::Settings::new(jwt.clone()),
            billing: mediaflow_billing::Settings::new(jwt.clone()),
            auth,
            gateway,
            jwt,
        }
    }

    /// Which services to start (any order; started auth, catalog, billing, gateway).
    #[must_use]
    pub fn services(mut self, services: &[Svc]) -> Self {
        let mut services = services.to_vec();
        services.sort();
        services.dedup();
        self.services = services;
        self
    }

    /// Adjusts the auth settings.
    #[must_use]
    pub fn auth(mut self, f: impl FnOnce(&mut mediaflow_auth::Settings)) -> Self {
        f(&mut self.auth);
        self
    }

    /// Adjusts the catalog settings.
    #[must_use]
    pub fn catalog(mut self, f: impl FnOnce(&mut mediaflow_catalog::Settings)) -> Self {
        f(&mut self.catalog);
        self
    }

    /// Adjusts the billing settings.
    #[must_use]
    pub fn billing(mut self, f: impl FnOnce(&mut mediaflow_billing::Settings)) -> Self {
        f(&mut self.billing);
        self
    }

    /// Adjusts the gateway settings.
    #[must_use]
    pub fn gateway(mut self, f: impl FnOnce(&mut mediaflow_gateway::Settings)) -> Self {
        f(&mut self.gateway);
        self
    }

    /// Starts the services in order and waits until each answers `/ready`.
    pub async fn start(mut self) -> TestPlatform {
        let http = reqwest::Client::new();
        let mut running = BTreeMap::new();
        let backends: Vec<String> = self
            .services
            .iter()
            .filter(|s| **s != Svc::Gateway)
            .map(|s| s.name().to_owned())
            .collect();
        self.gateway.readiness.required = backends;
        let payments = self.billing.provider.clone();
        for svc in self.services.clone() {
            let listener = TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind an ephemeral port");
            let started = match svc {
                Svc::Auth => mediaflow_auth::start(&self.infra, self.auth.clone(), listener)
                    .await
                    .map_err(|e| e.to_string()),
                Svc::Catalog => {
                    mediaflow_catalog::start(&self.infra, self.catalog.clone(), listener)
                        .await
                        .map_err(|e| e.to_string())
                }
                Svc::Billing => {
                    mediaflow_billing::start(&self.infra, self.billing.clone(), listener)
                        .await
                        .map_err(|e| e.to_string())
                }
                Svc::Gateway => {
                    mediaflow_gateway::start(&self.infra, self.gateway.clone(), listener)
                        .await
                        .map_err(|e| e.to_string())
                }
            };
            let service = started.unwrap_or_else(|e| panic!("{} failed to start: {e}", svc.name()));
            wait_ready(&http, &service).await;
            running.insert(svc, service);
        }
        TestPlatform {
            infra: self.infra,
            jwt: self.jwt,
            http,
            payments,
            running,
        }
    }
}

async fn wait_ready(http: &reqwest::Client, service: &RunningService) {
    let url = format!("{}/ready", service.base_url());
    for _ in 0..200 {
        if let Ok(response) = http.get(&url).send().await
            && response.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("{} did not become ready within 1 s", service.name());
}

/// A response, read whole.
#[derive(Debug, Clone)]
pub struct Reply {
    /// HTTP status code.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body as JSON (`Null` when empty or not JSON).
    pub body: serde_json::Value,
    /// The body as text.
    pub text: String,
}

impl Reply {
    async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        Self {
            status,
            headers,
            body,
            text,
        }
    }

    /// The `error.code` of an error body.
    pub fn error_code(&self) -> Option<&str> {
        self.body["error"]["code"].as_str()
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Running services over one shared infrastructure.
#[derive(Debug)]
pub struct TestPlatform {
    /// The shared backends.
    pub infra: Infra,
    /// The token settings every service was given.
    pub jwt: JwtSettings,
    /// An HTTP client for requests.
    pub http: reqwest::Client,
    /// Billing's simulated payment provider (script failures on it).
    pub payments: Arc<mediaflow_billing::SimulatedProvider>,
    running: BTreeMap<Svc, RunningService>,
}

impl TestPlatform {
    /// Every service over a fresh embedded infrastructure.
    pub async fn start_all() -> Self {
        PlatformBuilder::new(Infra::embedded()).start().await
    }

    /// The given services over a fresh embedded infrastructure.
    pub async fn start(services: &[Svc]) -> Self {
        PlatformBuilder::new(Infra::embedded())
            .services(services)
            .start()
            .await
    }

    /// A builder over `infra`.
    pub fn builder(infra: Infra) -> PlatformBuilder {
        PlatformBuilder::new(infra)
    }

    /// A running service.
    pub fn service(&self, svc: Svc) -> &RunningService {
        self.running
            .get(&svc)
            .unwrap_or_else(|| panic!("{} was not started", svc.name()))
    }

    /// `http://127.0.0.1:<port>` of a service.
    pub fn url(&self, svc: Svc) -> String {
        self.service(svc).base_url()
    }

    /// Stops one service (deregistering it), as an operator or a crash would.
    pub async fn stop_service(&mut self, svc: Svc) {
        if let Some(service) = self.running.remove(&svc) {
            service.stop().await.expect("clean stop");
        }
    }

    /// A signed access token for `user_id` with `roles`, valid 15 minutes from the
    /// infrastructure's clock.
    pub fn access_token(&self, user_id: &str, roles: &[Role]) -> String {
        let now = self.infra.clock.now().timestamp();
        JwtIssuer::new(self.jwt.keys.clone()).sign(&Claims {
            sub: user_id.to_owned(),
            iss: self.jwt.issuer.clone(),
            aud: self.jwt.audience.clone(),
            exp: now + 900,
            nbf: now,
            iat: now,
            jti: self.infra.ids.prefixed("jti"),
            typ: TokenType::Access,
            roles: roles.to_vec(),
            fam: None,
        })
    }

    /// `GET` with an optional bearer token.
    pub async fn get(&self, svc: Svc, path: &str, token: Option<&str>) -> Reply {
        let mut request = self.http.get(format!("{}{path}", self.url(svc)));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Reply::read(request.send().await.expect("the service answers")).await
    }

    /// `POST` of a JSON body with an optional bearer token.
    pub async fn post(
        &self,
        svc: Svc,
        path: &str,
        body: &serde_json::Value,
        token: Option<&str>,
    ) -> Reply {
        self.send(reqwest::Method::POST, svc, path, body, token, &[])
            .await
    }

    /// Any method with a JSON body, a bearer token and extra headers.
    pub async fn send(
        &self,
        method: reqwest::Method,
        svc: Svc,
        path: &str,
        body: &serde_json::Value,
        token: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url(svc)))
            .json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Reply::read(request.send().await.expect("the service answers")).await
    }

    /// Stops every service, gateway first.
    pub async fn stop(mut self) {
        while let Some((_, service)) = self.running.pop_last() {
            service.stop().await.expect("clean stop");
        }
    }
}
