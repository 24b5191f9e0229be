//! End-to-end journeys of the auth service over HTTP: a viewer's whole session
//! life, an operator bootstrapping administration, recovery from a stolen refresh
//! token, and signing in through the gateway.

use mediaflow_auth::domain::Email;
use mediaflow_tests::support::auth::{AuthHarness, PASSWORD, jwt_claims, settings};
use mediaflow_tests::support::events::EventProbe;
use mediaflow_tests::support::fixtures::ephemeral_listener;
use mediaflow_tests::support::gateway;
use mediaflow_tests::support::http::send;
use serde_json::json;

#[tokio::test]
async fn a_viewer_signs_up_logs_in_renews_and_logs_out() {
    let auth = AuthHarness::start().await;
    let mut probe =
        EventProbe::bind(auth.infra.bus.as_ref(), "system.auth.journey", "auth.#").await;
    let user_id = auth.register("viewer@example.com").await;
    let (_, event) = probe
        .next()
        .await
        .expect("other services learn about the new account");
    assert_eq!(
        event.aggregate_id, user_id,
        "the event names the new account"
    );

    let (access, refresh) = auth.login("viewer@example.com").await;
    assert_eq!(
        auth.me(&access).await.body["email"],
        "viewer@example.com",
        "the new account sees its profile"
    );
    let renewed = auth.refresh(&refresh).await;
    assert_eq!(renewed.status, 200, "the session renews");
    let (access, refresh) = (renewed.text("access_token"), renewed.text("refresh_token"));
    assert_eq!(
        auth.me(&access).await.status,
        200,
        "the renewed access token works"
    );
    assert_eq!(
        auth.logout(&refresh).await.status,
        204,
        "the viewer logs out"
    );
    assert_eq!(
        auth.me(&access).await.status,
        401,
        "after logout the session's access token is refused"
    );
    assert_eq!(
        auth.refresh(&refresh).await.status,
        401,
        "after logout the session cannot be renewed"
    );
    assert_eq!(
        auth.login_raw("viewer@example.com", PASSWORD).await.status,
        200,
        "the viewer can log in again"
    );
    auth.stop().await;
}

#[tokio::test]
async fn an_operator_bootstraps_an_admin_who_promotes_a_creator() {
    let mut settings = settings();
    settings.bootstrap_admins = vec![Email::parse("ops@example.com").expect("valid")];
    let auth = AuthHarness::start_with(settings).await;
    auth.register("ops@example.com").await;
    let creator_id = auth.register("maker@example.com").await;
    let (admin, _) = auth.login("ops@example.com").await;
    assert_eq!(
        auth.me(&admin).await.body["roles"],
        json!(["admin"]),
        "the bootstrap address became an admin"
    );

    let (_, maker_refresh) = auth.login("maker@example.com").await;
    let promoted = auth
        .set_roles(&admin, &creator_id, &["viewer", "creator"])
        .await;
    assert_eq!(
        promoted.status, 200,
        "the admin promotes the maker: {:?}",
        promoted.body
    );
    let renewed = auth.refresh(&maker_refresh).await;
    let claims = jwt_claims(&renewed.text("access_token"));
    assert_eq!(
        claims["roles"],
        json!(["viewer", "creator"]),
        "the maker's next token lets them upload"
    );
    assert_eq!(
        auth.me(&renewed.text("access_token")).await.body["roles"],
        json!(["viewer", "creator"]),
        "the profile shows the new roles"
    );
    auth.stop().await;
}

#[tokio::test]
async fn a_user_whose_refresh_token_was_stolen_recovers_by_logging_in_again() {
    let auth = AuthHarness::start().await;
    auth.register("victim@example.com").await;
    let (_, stolen) = auth.login("victim@example.com").await;
    let thief = auth.refresh(&stolen).await;
    assert_eq!(
        thief.status, 200,
        "the thief redeems the stolen token first"
    );
    let victim = auth.refresh(&stolen).await;
    assert_eq!(
        victim.error_code(),
        "token_reused",
        "the victim's app presents the same token and reuse is detected"
    );
    let thief_next = auth.refresh(&thief.text("refresh_token")).await;
    assert_eq!(
        thief_next.status, 401,
        "the thief's session dies with the family"
    );
    let (access, _) = auth.login("victim@example.com").await;
    assert_eq!(
        auth.me(&access).await.status,
        200,
        "the victim logs in again and carries on"
    );
    auth.stop().await;
}

#[tokio::test]
async fn signing_up_and_in_through_the_gateway_opens_protected_routes() {
    let auth = AuthHarness::start().await;
    let edge =
        mediaflow_gateway::start(&auth.infra, gateway::settings(), ephemeral_listener().await)
            .await
            .expect("the gateway starts");
    let api = |path: &str| format!("{}{path}", edge.base_url());

    let body = json!({ "email": "edge@example.com", "password": PASSWORD, "display_name": "Edge" });
    let signed_up = send(auth.http.post(api("/api/auth/register")).json(&body)).await;
    assert_eq!(
        signed_up.status, 201,
        "registration is public through the gateway: {:?}",
        signed_up.body
    );
    let credentials = json!({ "email": "edge@example.com", "password": PASSWORD });
    let login = send(auth.http.post(api("/api/auth/login")).json(&credentials)).await;
    assert_eq!(
        login.status, 200,
        "login is public through the gateway: {:?}",
        login.body
    );
    let me = send(
        auth.http
            .get(api("/api/auth/me"))
            .bearer_auth(login.text("access_token")),
    )
    .await;
    assert_eq!(
        me.body["user_id"], signed_up.body["user_id"],
        "the token auth issued is accepted by the gateway and auth"
    );
    let anonymous = send(auth.http.get(api("/api/auth/me"))).await;
    assert_eq!(anonymous.status, 401, "the profile is not public");
    edge.stop().await.expect("the gateway stops");
    auth.stop().await;
}
