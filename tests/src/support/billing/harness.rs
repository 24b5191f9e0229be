//! The billing service on an ephemeral port with its infrastructure, provider and
//! an HTTP client: tokens minted at the clock's current time, typed calls, and
//! requests raced against a paused provider.

use std::sync::Arc;
use std::time::Duration;

use mediaflow_billing::{Settings, SimulatedProvider};
use mediaflow_shared::Infra;
use mediaflow_shared::auth::{Role, TokenType};
use mediaflow_shared::clock::{ManualClock, Timestamp};
use mediaflow_shared::http::RunningService;
use serde_json::{Value, json};

use crate::support::billing::{ADMIN, settings};
use crate::support::fixtures::{claims, ephemeral_listener, infra, sign};
use crate::support::http::{Reply, send, url};

/// A running billing service with its infrastructure, provider and client.
#[derive(Debug)]
pub struct BillingHarness {
    /// The manual clock behind `infra`.
    pub clock: Arc<ManualClock>,
    /// The infrastructure the service runs on.
    pub infra: Infra,
    /// The simulated provider the service charges through.
    pub provider: Arc<SimulatedProvider>,
    /// The service.
    pub service: RunningService,
    /// Client for calls.
    pub http: reqwest::Client,
}

impl BillingHarness {
    /// The service with test settings on fresh embedded infrastructure.
    pub async fn start() -> Self {
        let (clock, infra) = infra();
        Self::start_on(clock, infra, SimulatedProvider::new(7)).await
    }

    /// The service on `infra` (driven by `clock`) charging through `provider`.
    pub async fn start_on(
        clock: Arc<ManualClock>,
        infra: Infra,
        provider: SimulatedProvider,
    ) -> Self {
        let provider = Arc::new(provider);
        Self::start_with(clock, infra, settings(provider)).await
    }

    /// The service on `infra` with explicit settings (its provider is kept).
    pub async fn start_with(clock: Arc<ManualClock>, infra: Infra, settings: Settings) -> Self {
        let provider = settings.provider.clone();
        let service = mediaflow_billing::start(&infra, settings, ephemeral_listener().await)
            .await
            .expect("the billing service starts");
        Self {
            clock,
            infra,
            provider,
            service,
            http: reqwest::Client::new(),
        }
    }

    /// Moves the clock to `at`.
    pub fn set_time(&self, at: Timestamp) {
        self.clock.set(at);
    }

    /// An access token for `user` with `roles`, valid from the clock's now.
    pub fn token(&self, user: &str, roles: &[Role]) -> String {
        sign(&claims(self.clock.as_ref(), user, roles, TokenType::Access))
    }

    /// A viewer's token.
    pub fn viewer(&self, user: &str) -> String {
        self.token(user, &[Role::Viewer])
    }

    /// An admin's token.
    pub fn admin(&self) -> String {
        self.token(ADMIN, &[Role::Admin])
    }

    /// Absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        url(&self.service, path)
    }

    /// A `POST path` with a token, an optional idempotency key and a JSON body,
    /// ready to send (or to race with [`Self::race_at_provider`]).
    pub fn request(
        &self,
        path: &str,
        token: &str,
        key: Option<&str>,
        body: &Value,
    ) -> reqwest::RequestBuilder {
        let request = self.http.post(self.url(path)).bearer_auth(token).json(body);
        match key {
            Some(key) => request.header("Idempotency-Key", key),
            None => request,
        }
    }

    /// Sends `requests` at once with the provider paused, and resumes it only when
    /// every request has either answered or reached the provider: one request is
    /// held mid-charge while the others run, the interleaving a slow PSP causes.
    /// The replies, in request order.
    pub async fn race_at_provider(&self, requests: Vec<reqwest::RequestBuilder>) -> Vec<Reply> {
        self.provider.pause();
        let total = requests.len();
        let handles: Vec<_> = requests
            .into_iter()
            .map(|request| tokio::spawn(send(request)))
            .collect();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let answered = handles.iter().filter(|h| h.is_finished()).count();
            if answered + self.provider.waiting() >= total {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "racing requests stalled: {answered} answered, {} at the provider, of {total}",
                self.provider.waiting()
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        self.provider.resume();
        let mut replies = Vec::with_capacity(total);
        for handle in handles {
            replies.push(handle.await.expect("the request task completes"));
        }
        replies
    }

    /// `GET path` with an optional bearer token.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut request = self.http.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        send(request).await
    }

    /// `POST path` with an optional token and idempotency key, and a JSON body.
    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        key: Option<&str>,
        body: &Value,
    ) -> Reply {
        let mut request = self.http.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key);
        }
        send(request).await
    }

    /// `POST /subscriptions` as viewer `user`.
    pub async fn subscribe(&self, user: &str, plan: &str, currency: &str, key: &str) -> Reply {
        let body = json!({ "plan": plan, "currency": currency });
        self.post("/subscriptions", Some(&self.viewer(user)), Some(key), &body)
            .await
    }

    /// Subscribes `user` and asserts it worked; the reply body.
    pub async fn subscribed(&self, user: &str, plan: &str, currency: &str) -> Value {
        let reply = self
            .subscribe(user, plan, currency, &format!("sub-{user}-{plan}"))
            .await;
        assert_eq!(
            reply.status, 201,
            "subscribing {user} to {plan} must succeed: {}",
            reply.body
        );
        reply.body
    }

    /// `POST /subscriptions/me/change` as viewer `user`.
    pub async fn change(&self, user: &str, plan: &str, key: &str) -> Reply {
        let body = json!({ "plan": plan });
        self.post(
            "/subscriptions/me/change",
            Some(&self.viewer(user)),
            Some(key),
            &body,
        )
        .await
    }

    /// `POST /subscriptions/me/cancel` as viewer `user`.
    pub async fn cancel(&self, user: &str) -> Reply {
        self.post(
            "/subscriptions/me/cancel",
            Some(&self.viewer(user)),
            None,
            &json!({}),
        )
        .await
    }

    /// `GET /subscriptions/me` as viewer `user`.
    pub async fn me(&self, user: &str) -> Reply {
        self.get("/subscriptions/me", Some(&self.viewer(user)))
            .await
    }

    /// `GET /invoices` as viewer `user`.
    pub async fn invoices(&self, user: &str) -> Reply {
        self.get("/invoices", Some(&self.viewer(user))).await
    }

    /// `GET /entitlements/{user}` as that user.
    pub async fn entitlement(&self, user: &str) -> Reply {
        self.get(&format!("/entitlements/{user}"), Some(&self.viewer(user)))
            .await
    }

    /// `POST /invoices/{invoice}/refunds` as the admin.
    pub async fn refund(&self, invoice: &str, amount_minor: i64, key: &str) -> Reply {
        let body = json!({ "amount_minor": amount_minor });
        self.post(
            &format!("/invoices/{invoice}/refunds"),
            Some(&self.admin()),
            Some(key),
            &body,
        )
        .await
    }

    /// `POST /internal/renewals/run` as the admin.
    pub async fn run_renewals(&self) -> Reply {
        self.post(
            "/internal/renewals/run",
            Some(&self.admin()),
            None,
            &json!({}),
        )
        .await
    }

    /// Stops the service.
    pub async fn stop(self) {
        self.service
            .stop()
            .await
            .expect("the billing service stops cleanly");
    }
}
