//! The auth service's contracts: exact JSON shapes of its requests, responses and
//! errors, the claims of the tokens every service verifies, and the schemas of
//! `UserRegistered` and `UserRolesChanged`. A renamed or added field fails here.

use std::collections::BTreeSet;

use mediaflow_auth::domain::Email;
use mediaflow_auth::events::{UserRegistered, UserRolesChanged};
use mediaflow_tests::support::auth::{AuthHarness, PASSWORD, jwt_claims, jwt_header, settings};
use mediaflow_tests::support::events::EventProbe;
use mediaflow_tests::support::http::send;
use serde_json::{Value, json};

fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|object| object.keys().cloned().collect())
        .unwrap_or_default()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|name| (*name).to_owned()).collect()
}

async fn admin_harness() -> AuthHarness {
    let mut settings = settings();
    settings.bootstrap_admins = vec![Email::parse("root@example.com").expect("valid")];
    AuthHarness::start_with(settings).await
}

#[tokio::test]
async fn register_answers_201_with_only_the_user_id() {
    let auth = AuthHarness::start().await;
    let reply = auth.register_raw("ann@example.com", PASSWORD, "Ann").await;
    assert_eq!(reply.status, 201, "registration answers 201 Created");
    assert_eq!(
        keys(&reply.body),
        set(&["user_id"]),
        "the body is exactly {{user_id}}: {:?}",
        reply.body
    );
    let content_type = reply
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok());
    assert_eq!(content_type, Some("application/json"), "responses are JSON");
    auth.stop().await;
}

#[tokio::test]
async fn login_and_refresh_answer_a_bearer_token_pair() {
    let auth = AuthHarness::start().await;
    auth.register("ann@example.com").await;
    let login = auth.login_raw("ann@example.com", PASSWORD).await;
    let refresh = auth.refresh(&login.text("refresh_token")).await;
    for (name, reply) in [("login", &login), ("refresh", &refresh)] {
        assert_eq!(reply.status, 200, "{name} succeeds");
        assert_eq!(
            keys(&reply.body),
            set(&["access_token", "refresh_token", "token_type", "expires_in"]),
            "{name} answers exactly the OAuth-style token fields"
        );
        assert_eq!(
            reply.body["token_type"], "Bearer",
            "{name}: token_type is Bearer"
        );
        assert_eq!(
            reply.body["expires_in"], 900,
            "{name}: expires_in is the access lifetime in seconds, as a number"
        );
    }
    auth.stop().await;
}

#[tokio::test]
async fn access_and_refresh_tokens_carry_the_claims_other_services_verify() {
    let auth = AuthHarness::start().await;
    let user_id = auth.register("ann@example.com").await;
    let (access, refresh) = auth.login("ann@example.com").await;
    assert_eq!(
        jwt_header(&access),
        json!({ "alg": "HS256", "typ": "JWT", "kid": "k1" }),
        "tokens are HS256 with a key id"
    );
    let claims = jwt_claims(&access);
    assert_eq!(
        keys(&claims),
        set(&[
            "sub", "iss", "aud", "exp", "nbf", "iat", "jti", "typ", "roles", "fam"
        ]),
        "access claims: {claims}"
    );
    assert_eq!(
        (
            &claims["sub"],
            &claims["iss"],
            &claims["aud"],
            &claims["typ"],
            &claims["roles"]
        ),
        (
            &json!(user_id),
            &json!("mediaflow-auth"),
            &json!("mediaflow"),
            &json!("access"),
            &json!(["viewer"])
        ),
        "subject, issuer, audience, type and roles of the access token"
    );
    let refresh_claims = jwt_claims(&refresh);
    assert_eq!(
        refresh_claims["typ"], "refresh",
        "refresh tokens say typ=refresh"
    );
    assert_eq!(
        refresh_claims["fam"], claims["fam"],
        "both tokens of a login share the session family"
    );
    auth.stop().await;
}

#[tokio::test]
async fn me_and_role_changes_answer_their_documented_shapes() {
    let auth = admin_harness().await;
    auth.register("root@example.com").await;
    let user_id = auth.register("ann@example.com").await;
    let (admin, _) = auth.login("root@example.com").await;
    let me = auth.me(&admin).await;
    assert_eq!(
        keys(&me.body),
        set(&["user_id", "email", "display_name", "roles"]),
        "/me fields: {:?}",
        me.body
    );
    assert_eq!(
        me.body["roles"],
        json!(["admin"]),
        "roles are lowercase strings"
    );
    let changed = auth.set_roles(&admin, &user_id, &["creator"]).await;
    assert_eq!(changed.status, 200, "an admin may change roles");
    assert_eq!(
        changed.body,
        json!({ "user_id": user_id, "roles": ["creator"] }),
        "role changes echo user_id and roles"
    );
    auth.stop().await;
}

#[tokio::test]
async fn every_error_uses_the_platform_error_shape() {
    let auth = AuthHarness::start().await;
    let bad_json = send(
        auth.http
            .post(auth.url("/login"))
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await;
    let missing_field = auth
        .post(
            "/register",
            &json!({ "email": "ann@example.com", "password": PASSWORD }),
        )
        .await;
    let credentials = auth.login_raw("nobody@example.com", PASSWORD).await;
    let unauthenticated = send(auth.http.get(auth.url("/me"))).await;
    let cases = [
        (bad_json, 400, "invalid_request"),
        (missing_field, 422, "invalid_request"),
        (credentials, 401, "invalid_credentials"),
        (unauthenticated, 401, "unauthorized"),
    ];
    for (reply, status, code) in cases {
        assert_eq!(
            (reply.status, reply.error_code()),
            (status, code),
            "status and code: {:?}",
            reply.body
        );
        assert_eq!(
            keys(&reply.body),
            set(&["error"]),
            "the body is exactly {{error}}"
        );
        assert_eq!(
            keys(&reply.body["error"]),
            set(&["code", "message"]),
            "error has exactly code and message"
        );
    }
    auth.stop().await;
}

#[tokio::test]
async fn user_registered_event_has_its_documented_envelope_and_payload() {
    let auth = AuthHarness::start().await;
    let mut probe = EventProbe::bind(
        auth.infra.bus.as_ref(),
        "contract.auth.registered",
        "auth.#",
    )
    .await;
    let user_id = auth.register("ann@example.com").await;
    let (key, envelope) = probe.next().await.expect("UserRegistered is published");
    assert_eq!(key, "auth.user.registered", "routing key");
    assert_eq!(
        (envelope.event_type.as_str(), envelope.schema_version),
        ("UserRegistered", 1),
        "type and schema version"
    );
    assert_eq!(
        keys(&envelope.payload),
        set(&["user_id", "email", "display_name", "roles", "registered_at"]),
        "payload fields: {}",
        envelope.payload
    );
    let payload: UserRegistered = envelope
        .decode()
        .expect("the payload decodes as UserRegistered");
    assert_eq!(
        (payload.user_id.as_str(), payload.email.as_str()),
        (user_id.as_str(), "ann@example.com"),
        "payload values"
    );
    assert_eq!(
        payload.registered_at, envelope.occurred_at,
        "registered_at is the event time"
    );
    auth.stop().await;
}

#[tokio::test]
async fn user_roles_changed_event_has_its_documented_payload() {
    let auth = admin_harness().await;
    let mut probe = EventProbe::bind(
        auth.infra.bus.as_ref(),
        "contract.auth.roles",
        "auth.user.roles_changed",
    )
    .await;
    let admin_id = auth.register("root@example.com").await;
    let user_id = auth.register("ann@example.com").await;
    let (admin, _) = auth.login("root@example.com").await;
    auth.set_roles(&admin, &user_id, &["creator"]).await;
    let (_, envelope) = probe.next().await.expect("UserRolesChanged is published");
    assert_eq!(envelope.event_type, "UserRolesChanged", "event type");
    assert_eq!(
        keys(&envelope.payload),
        set(&["user_id", "roles", "changed_by", "changed_at"]),
        "payload fields: {}",
        envelope.payload
    );
    let payload: UserRolesChanged = envelope
        .decode()
        .expect("the payload decodes as UserRolesChanged");
    assert_eq!(
        payload.roles,
        vec![mediaflow_shared::auth::Role::Creator],
        "the roles now held"
    );
    assert_eq!(
        payload.changed_by, admin_id,
        "the administrator is recorded"
    );
    auth.stop().await;
}
