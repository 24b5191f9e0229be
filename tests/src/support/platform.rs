//! The platform harness: starts any set of services in one process, each on an
//! ephemeral port, over one shared [`Infra`]; waits until each is ready; and gives
//! typed request helpers and token minting. Services still talk to each other only
//! over HTTP and the bus, exactly as when they run as separate processes.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use mediaflow_shared::Infra;
use mediaflow_shared::auth::{Claims, JwtSettings, Role, TokenType};
use mediaflow_shared::http::RunningService;

use super::fixtures::{CHEAP_HASHING, claims, ephemeral_listener, jwt_settings, sign};
use super::http::{Reply, send, url};
use super::servers::service_infra;

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
        let jwt = jwt_settings();
        let mut auth = mediaflow_auth::Settings::new(jwt.clone());
        auth.hashing = CHEAP_HASHING;
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
            let listener = ephemeral_listener().await;
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
    let url = url(service, "/ready");
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

/// Running services over one shared infrastructure.
#[derive(Debug)]
pub struct TestPlatform {
    /// The shared backends.
    pub infra: Infra,
    /// The token settings every service was given (the shared test key of
    /// [`jwt_settings`], which [`TestPlatform::access_token`] signs with).
    pub jwt: JwtSettings,
    /// An HTTP client for requests.
    pub http: reqwest::Client,
    /// Billing's simulated payment provider (script failures on it).
    pub payments: Arc<mediaflow_billing::SimulatedProvider>,
    running: BTreeMap<Svc, RunningService>,
}

impl TestPlatform {
    /// Every service over a fresh infrastructure of its own (embedded, or on the
    /// real servers: [`super::servers::service_infra`]).
    pub async fn start_all() -> Self {
        PlatformBuilder::new(service_infra()).start().await
    }

    /// The given services over a fresh infrastructure of their own.
    pub async fn start(services: &[Svc]) -> Self {
        PlatformBuilder::new(service_infra())
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
        let template = claims(self.infra.clock.as_ref(), user_id, roles, TokenType::Access);
        sign(&Claims {
            jti: self.infra.ids.prefixed("jti"),
            ..template
        })
    }

    /// `GET` with an optional bearer token.
    pub async fn get(&self, svc: Svc, path: &str, token: Option<&str>) -> Reply {
        let mut request = self.http.get(url(self.service(svc), path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        send(request).await
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
            .request(method, url(self.service(svc), path))
            .json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        send(request).await
    }

    /// Stops every service, gateway first.
    pub async fn stop(mut self) {
        while let Some((_, service)) = self.running.pop_last() {
            service.stop().await.expect("clean stop");
        }
    }
}
