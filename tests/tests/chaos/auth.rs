//! The auth service under injected faults: failing database commits and writes
//! (`ChaosStore`), a failing or duplicating bus (`ChaosBus`), skewed and stepped
//! clocks, and a stopped and restarted instance.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use mediaflow_shared::auth::{JwtError, JwtVerifier, TokenType};
use mediaflow_shared::chaos::{BusFault, ChaosBus, ChaosStore, SkewedClock};
use mediaflow_shared::clock::{Clock, SharedClock};
use mediaflow_shared::store::SqlStore;
use mediaflow_tests::support::auth::{AuthHarness, PASSWORD, settings};
use mediaflow_tests::support::databases::wrap_store;
use mediaflow_tests::support::events::EventProbe;
use mediaflow_tests::support::fixtures::{infra, jwt_settings};

/// The auth service over a fault-injecting auth database.
async fn over_chaos_store() -> (AuthHarness, Arc<ChaosStore>) {
    let (clock, base) = infra();
    let (infra, chaos) = wrap_store(&base, mediaflow_auth::SERVICE, ChaosStore::new);
    (AuthHarness::start_on(clock, infra, settings()).await, chaos)
}

/// The auth service over a fault-injecting bus, relaying every 10 ms.
async fn over_chaos_bus() -> (AuthHarness, Arc<ChaosBus>) {
    let (clock, base) = infra();
    let chaos = Arc::new(ChaosBus::new(base.bus.clone(), 5));
    let mut settings = settings();
    settings.relay_tick = Duration::from_millis(10);
    (
        AuthHarness::start_on(clock, base.with_bus(chaos.clone()), settings).await,
        chaos,
    )
}

async fn count(db: &dyn SqlStore, sql: &str) -> i64 {
    let rows = db.query(sql, &[]).await.expect("the database is readable");
    rows[0].get("n").expect("a count")
}

/// Waits (bounded) until the relay has published every outbox row, so its own
/// writes cannot consume faults armed afterwards.
async fn settle_outbox(db: &dyn SqlStore) {
    for _ in 0..200 {
        if count(
            db,
            "SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL",
        )
        .await
            == 0
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("the outbox relay did not publish pending events within a second");
}

#[tokio::test]
async fn a_failed_registration_commit_leaves_neither_account_nor_event() {
    let (auth, chaos) = over_chaos_store().await;
    chaos.fail_next_commits(1);
    let failed = auth.register_raw("ann@example.com", PASSWORD, "Ann").await;
    assert_eq!(
        (failed.status, failed.error_code()),
        (503, "unavailable"),
        "a failed commit is a retryable 503"
    );
    assert_eq!(
        failed.headers.get("retry-after").map(|v| v.as_bytes()),
        Some(&b"1"[..]),
        "the client is told when to retry"
    );
    let db = chaos.as_ref();
    assert_eq!(
        count(db, "SELECT COUNT(*) AS n FROM users").await,
        0,
        "no account may survive the failed commit"
    );
    assert_eq!(
        count(db, "SELECT COUNT(*) AS n FROM outbox").await,
        0,
        "no UserRegistered may survive the failed commit"
    );
    auth.register("ann@example.com").await;
    assert_eq!(
        count(db, "SELECT COUNT(*) AS n FROM outbox").await,
        1,
        "the retried registration records exactly one event"
    );
    auth.stop().await;
}

#[tokio::test]
async fn a_failed_commit_during_refresh_leaves_the_presented_token_redeemable() {
    let (auth, chaos) = over_chaos_store().await;
    auth.register("ann@example.com").await;
    let (_, refresh) = auth.login("ann@example.com").await;
    chaos.fail_next_commits(1);
    assert_eq!(
        auth.refresh(&refresh).await.status,
        503,
        "the rotation fails with the database"
    );
    let retried = auth.refresh(&refresh).await;
    assert_eq!(
        retried.status, 200,
        "a rolled-back rotation must not count as a use, or the retry looks like theft: {:?}",
        retried.body
    );
    auth.stop().await;
}

#[tokio::test]
async fn a_login_whose_attempt_cannot_be_recorded_fails_closed() {
    let (auth, chaos) = over_chaos_store().await;
    auth.register("ann@example.com").await;
    settle_outbox(chaos.as_ref()).await;
    chaos.fail_next_writes(1);
    let refused = auth.login_raw("ann@example.com", PASSWORD).await;
    assert_eq!(
        refused.status, 503,
        "without a recorded attempt the lockout cannot hold, so the login must fail closed"
    );
    assert_eq!(
        chaos.stats().failed_writes,
        1,
        "the injected fault hit the attempt counter"
    );
    assert_eq!(
        auth.login_raw("ann@example.com", PASSWORD).await.status,
        200,
        "once the database recovers logins work"
    );
    auth.stop().await;
}

#[tokio::test]
async fn a_bus_outage_delays_user_registered_but_never_loses_it() {
    let (auth, chaos) = over_chaos_bus().await;
    let mut probe = EventProbe::bind(
        auth.infra.bus.as_ref(),
        "chaos.auth.outage",
        "auth.user.registered",
    )
    .await;
    chaos.inject(BusFault::FailNext(2));
    let user_id = auth.register("ann@example.com").await;
    let (_, event) = probe
        .next()
        .await
        .expect("the relay must retry until the bus takes the event");
    assert_eq!(
        event.aggregate_id, user_id,
        "the delayed event is the registration"
    );
    assert_eq!(
        chaos.stats().failed,
        2,
        "two publishes failed before the third went through"
    );
    auth.stop().await;
}

#[tokio::test]
async fn a_duplicated_publish_carries_one_event_id_so_consumers_can_deduplicate() {
    let (auth, chaos) = over_chaos_bus().await;
    let mut probe = EventProbe::bind(
        auth.infra.bus.as_ref(),
        "chaos.auth.duplicate",
        "auth.user.registered",
    )
    .await;
    chaos.inject(BusFault::DuplicateNext(1));
    auth.register("ann@example.com").await;
    let first = probe.next().await.expect("the event arrives").1;
    let second = probe.next().await.expect("the duplicate arrives").1;
    assert_eq!(
        first.id, second.id,
        "both copies must share the event id consumers deduplicate on"
    );
    auth.stop().await;
}

#[tokio::test]
async fn tokens_from_a_skewed_auth_clock_pass_within_the_leeway_and_fail_beyond_it() {
    let (clock, base) = infra();
    let truth: SharedClock = clock.clone();
    let skewed = Arc::new(SkewedClock::new(truth.clone(), TimeDelta::seconds(20)));
    let auth = AuthHarness::start_on(clock, base.with_clock(skewed.clone()), settings()).await;
    let jwt = jwt_settings();
    let elsewhere = JwtVerifier::new(
        jwt.verifier_config(TokenType::Access),
        jwt.keys.clone(),
        truth,
    )
    .expect("valid");
    auth.register("ann@example.com").await;
    let (slightly_ahead, _) = auth.login("ann@example.com").await;
    assert!(
        elsewhere.verify(&slightly_ahead).is_ok(),
        "20 s of skew is inside the 30 s leeway other services allow"
    );
    skewed.set_offset(TimeDelta::minutes(2));
    let (far_ahead, _) = auth.login("ann@example.com").await;
    assert_eq!(
        elsewhere.verify(&far_ahead),
        Err(JwtError::NotYetValid),
        "a token issued two minutes in the future must not be accepted yet"
    );
    auth.stop().await;
}

#[tokio::test]
async fn a_clock_stepped_back_does_not_lift_a_lock_early() {
    let auth = AuthHarness::start().await;
    auth.register("ann@example.com").await;
    for _ in 0..5 {
        auth.login_raw("ann@example.com", "wrong password guess")
            .await;
    }
    let locked_at = auth.clock.now();
    auth.clock.set(locked_at - TimeDelta::hours(1));
    let stepped = auth.login_raw("ann@example.com", PASSWORD).await;
    assert_eq!(
        stepped.status, 429,
        "stepping the clock back must not end the lock"
    );
    auth.clock.set(locked_at + TimeDelta::minutes(15));
    assert_eq!(
        auth.login_raw("ann@example.com", PASSWORD).await.status,
        200,
        "the lock ends 15 minutes after it began"
    );
    auth.stop().await;
}

#[tokio::test]
async fn a_restarted_instance_keeps_accounts_and_sessions_and_the_stopped_one_is_gone() {
    let first = AuthHarness::start().await;
    first.register("ann@example.com").await;
    let (_, refresh) = first.login("ann@example.com").await;
    let old_url = first.url("/health");
    let (clock, infra, http) = (first.clock.clone(), first.infra.clone(), first.http.clone());
    first.stop().await;
    assert!(
        http.get(&old_url).send().await.is_err(),
        "a stopped instance must not answer"
    );
    let listed = infra
        .registry
        .healthy_instances("auth")
        .await
        .expect("registry answers");
    assert!(
        listed.is_empty(),
        "a stopped instance must not be discoverable, found {listed:?}"
    );

    let second = AuthHarness::start_on(clock, infra, settings()).await;
    assert_eq!(
        second.refresh(&refresh).await.status,
        200,
        "sessions live in the database and survive a restart"
    );
    assert_eq!(
        second.login_raw("ann@example.com", PASSWORD).await.status,
        200,
        "accounts survive a restart"
    );
    second.stop().await;
}
