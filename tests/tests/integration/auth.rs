//! The auth service over HTTP with its embedded backends: registration and its
//! event, refresh rotation, logout, role administration and readiness.

use mediaflow_auth::domain::Email;
use mediaflow_tests::support::auth::{AuthHarness, PASSWORD, jwt_claims, settings};
use mediaflow_tests::support::events::EventProbe;
use mediaflow_tests::support::http::send;
use serde_json::json;

#[tokio::test]
async fn registered_user_logs_in_and_sees_their_profile() {
    let auth = AuthHarness::start().await;
    let reply = auth
        .register_raw(" Ann@Example.COM ", PASSWORD, "  Ann Lee ")
        .await;
    assert_eq!(
        reply.status, 201,
        "registration must create the account: {:?}",
        reply.body
    );
    let user_id = reply.text("user_id");
    let (access, _) = auth.login("ann@example.com").await;
    let me = auth.me(&access).await;
    assert_eq!(
        me.status, 200,
        "the access token must open /me: {:?}",
        me.body
    );
    assert_eq!(
        me.body,
        json!({ "user_id": user_id, "email": "ann@example.com", "display_name": "Ann Lee", "roles": ["viewer"] }),
        "the profile shows the normalised email, the trimmed name and the default viewer role"
    );
    auth.stop().await;
}

#[tokio::test]
async fn the_same_email_in_another_case_cannot_register_twice() {
    let auth = AuthHarness::start().await;
    auth.register("ann@example.com").await;
    let again = auth
        .register_raw("ANN@example.com", PASSWORD, "Impostor")
        .await;
    assert_eq!(
        (again.status, again.error_code()),
        (409, "email_taken"),
        "one mailbox must map to one account"
    );
    auth.stop().await;
}

#[tokio::test]
async fn registration_publishes_user_registered_with_the_request_id_as_correlation() {
    let auth = AuthHarness::start().await;
    let mut probe = EventProbe::bind(
        auth.infra.bus.as_ref(),
        "probe.auth.registered",
        "auth.user.*",
    )
    .await;
    let body = json!({ "email": "ann@example.com", "password": PASSWORD, "display_name": "Ann" });
    let reply = send(
        auth.http
            .post(auth.url("/register"))
            .header("x-request-id", "req-signup-1")
            .json(&body),
    )
    .await;
    assert_eq!(reply.status, 201, "registration succeeds");
    let (key, event) = probe
        .next()
        .await
        .expect("UserRegistered must be published after the commit");
    assert_eq!(
        key, "auth.user.registered",
        "routing key follows <service>.<entity>.<event>"
    );
    assert_eq!(event.event_type, "UserRegistered", "event type");
    assert_eq!(
        event.aggregate_id,
        reply.text("user_id"),
        "the aggregate is the new user"
    );
    assert_eq!(
        event.sequence, 1,
        "registration is the first event of the user's stream"
    );
    assert_eq!(
        event.correlation_id, "req-signup-1",
        "the request id must follow the event"
    );
    assert_eq!(
        event.payload["email"], "ann@example.com",
        "the payload carries the normalised email"
    );
    auth.stop().await;
}

#[tokio::test]
async fn refresh_rotates_the_pair_and_reusing_the_old_token_revokes_the_session() {
    let auth = AuthHarness::start().await;
    auth.register("ann@example.com").await;
    let (_, first_refresh) = auth.login("ann@example.com").await;
    let rotated = auth.refresh(&first_refresh).await;
    assert_eq!(
        rotated.status, 200,
        "a fresh refresh token rotates: {:?}",
        rotated.body
    );
    let second_refresh = rotated.text("refresh_token");
    assert_ne!(
        second_refresh, first_refresh,
        "rotation must hand out a new refresh token"
    );
    assert_eq!(
        jwt_claims(&second_refresh)["fam"],
        jwt_claims(&first_refresh)["fam"],
        "the new token belongs to the same family"
    );
    let reuse = auth.refresh(&first_refresh).await;
    assert_eq!(
        (reuse.status, reuse.error_code()),
        (401, "token_reused"),
        "a used refresh token must be refused as reuse"
    );
    let after = auth.refresh(&second_refresh).await;
    assert_eq!(
        (after.status, after.error_code()),
        (401, "session_revoked"),
        "reuse must revoke the whole family, including the newest token"
    );
    auth.stop().await;
}

#[tokio::test]
async fn logout_ends_the_session_for_refresh_and_for_its_access_tokens() {
    let auth = AuthHarness::start().await;
    auth.register("ann@example.com").await;
    let (access, refresh) = auth.login("ann@example.com").await;
    let (other_access, _) = auth.login("ann@example.com").await;
    let out = auth.logout(&refresh).await;
    assert_eq!(
        (out.status, &out.body),
        (204, &json!(null)),
        "logout answers 204 without a body"
    );
    assert_eq!(
        auth.refresh(&refresh).await.error_code(),
        "session_revoked",
        "the logged-out refresh token is dead"
    );
    assert_eq!(
        auth.me(&access).await.status,
        401,
        "the session's access token is refused by auth after logout"
    );
    assert_eq!(
        auth.me(&other_access).await.status,
        200,
        "another session of the same user stays logged in"
    );
    assert_eq!(
        auth.logout(&refresh).await.status,
        204,
        "logging out twice is harmless"
    );
    auth.stop().await;
}

#[tokio::test]
async fn a_role_change_reaches_the_next_refreshed_access_token_and_is_published() {
    let mut settings = settings();
    settings.bootstrap_admins = vec![Email::parse("root@example.com").expect("valid")];
    let auth = AuthHarness::start_with(settings).await;
    let mut probe = EventProbe::bind(
        auth.infra.bus.as_ref(),
        "probe.auth.roles",
        "auth.user.roles_changed",
    )
    .await;
    auth.register("root@example.com").await;
    let user_id = auth.register("ann@example.com").await;
    let (admin, _) = auth.login("root@example.com").await;
    let (_, refresh) = auth.login("ann@example.com").await;
    let changed = auth
        .set_roles(&admin, &user_id, &["creator", "viewer"])
        .await;
    assert_eq!(
        changed.body,
        json!({ "user_id": user_id, "roles": ["viewer", "creator"] }),
        "the new roles are echoed"
    );
    let renewed = auth.refresh(&refresh).await;
    assert_eq!(
        jwt_claims(&renewed.text("access_token"))["roles"],
        json!(["viewer", "creator"]),
        "the refreshed access token must carry the roles as stored now"
    );
    let (key, event) = probe
        .next()
        .await
        .expect("UserRolesChanged must be published");
    assert_eq!(
        (key.as_str(), event.sequence),
        ("auth.user.roles_changed", 2),
        "the role change is the user's second event"
    );
    auth.stop().await;
}

#[tokio::test]
async fn the_instance_is_ready_while_registered_and_deregisters_on_stop() {
    let auth = AuthHarness::start().await;
    let ready = send(auth.http.get(auth.url("/ready"))).await;
    assert_eq!(
        (ready.status, ready.text("status")),
        (200, "ready".to_owned()),
        "database reachable and registered: {:?}",
        ready.body
    );
    let registry = auth.infra.registry.clone();
    let before = registry
        .healthy_instances("auth")
        .await
        .expect("registry answers");
    assert_eq!(
        before.len(),
        1,
        "the running instance is registered under `auth`"
    );
    auth.stop().await;
    let after = registry
        .healthy_instances("auth")
        .await
        .expect("registry answers");
    assert!(
        after.is_empty(),
        "a stopped instance must deregister, found {after:?}"
    );
}
