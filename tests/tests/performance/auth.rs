//! Work the auth service does per request, counted rather than timed: statements
//! and transactions per login, refresh and profile read, password hashes per
//! registration, hashing spent on a locked account, and messages per event.

use std::sync::Arc;

use mediaflow_auth::domain::Password;
use mediaflow_shared::events::InMemoryBroker;
use mediaflow_tests::support::auth::{AuthHarness, PASSWORD, core, registration, settings};
use mediaflow_tests::support::counting::{CountingStore, StatementKind};
use mediaflow_tests::support::databases::wrap_store;
use mediaflow_tests::support::events::EventProbe;
use mediaflow_tests::support::fixtures::infra;

fn of_kind(statements: &[String], kind: StatementKind) -> usize {
    statements
        .iter()
        .filter(|sql| StatementKind::of(sql) == kind)
        .count()
}

/// `(selects, inserts, updates, deletes)` among `statements`.
fn shape(statements: &[String]) -> (usize, usize, usize, usize) {
    (
        of_kind(statements, StatementKind::Select),
        of_kind(statements, StatementKind::Insert),
        of_kind(statements, StatementKind::Update),
        of_kind(statements, StatementKind::Delete),
    )
}

/// The auth service over a counting auth database.
async fn counted() -> (AuthHarness, Arc<CountingStore>) {
    let (clock, base) = infra();
    let (infra, counting) = wrap_store(&base, mediaflow_auth::SERVICE, CountingStore::new);
    (
        AuthHarness::start_on(clock, infra, settings()).await,
        counting,
    )
}

#[tokio::test]
async fn a_login_costs_two_reads_four_writes_and_one_transaction() {
    let (auth, counting) = counted().await;
    auth.register("ann@example.com").await;
    counting.reset();
    auth.login("ann@example.com").await;
    let statements = counting.request_statements();
    assert_eq!(
        shape(&statements),
        (2, 3, 0, 1),
        "login reads attempts and the user, records the attempt, opens the session, forgives the attempt: {statements:#?}"
    );
    assert_eq!(
        counting.counts().transactions,
        1,
        "the session's two rows commit in one transaction"
    );
    auth.stop().await;
}

#[tokio::test]
async fn logins_at_current_costs_never_rewrite_the_password_hash() {
    let (auth, counting) = counted().await;
    auth.register("ann@example.com").await;
    counting.reset();
    for _ in 0..3 {
        auth.login("ann@example.com").await;
    }
    assert_eq!(
        counting.statements_containing("UPDATE users"),
        0,
        "a hash already at the configured costs must not be rewritten on every login"
    );
    auth.stop().await;
}

#[tokio::test]
async fn a_refresh_costs_two_reads_three_writes_and_one_transaction() {
    let (auth, counting) = counted().await;
    auth.register("ann@example.com").await;
    let (_, refresh) = auth.login("ann@example.com").await;
    counting.reset();
    assert_eq!(
        auth.refresh(&refresh).await.status,
        200,
        "the refresh succeeds"
    );
    let statements = counting.request_statements();
    assert_eq!(
        shape(&statements),
        (2, 1, 2, 0),
        "refresh reads the token and the user, touches the family, claims the token, stores its successor: {statements:#?}"
    );
    assert_eq!(
        counting.counts().transactions,
        1,
        "rotation is one transaction"
    );
    auth.stop().await;
}

#[tokio::test]
async fn a_profile_read_costs_two_selects_and_no_writes() {
    let (auth, counting) = counted().await;
    auth.register("ann@example.com").await;
    let (access, _) = auth.login("ann@example.com").await;
    counting.reset();
    assert_eq!(auth.me(&access).await.status, 200, "the profile is served");
    let statements = counting.request_statements();
    assert_eq!(
        shape(&statements),
        (2, 0, 0, 0),
        "/me checks the session and reads the user, nothing more: {statements:#?}"
    );
    auth.stop().await;
}

#[tokio::test]
async fn a_registration_hashes_once_and_commits_account_and_event_together() {
    let (_clock, base) = infra();
    let (infra, counting) = wrap_store(&base, mediaflow_auth::SERVICE, CountingStore::new);
    let service = core(&infra, &settings()).await;
    counting.reset();
    service
        .register(registration("ann@example.com"), "req-1")
        .await
        .expect("registers");
    assert_eq!(
        service.hashing_stats().hashes,
        1,
        "one registration computes exactly one password hash"
    );
    assert_eq!(
        counting.counts().transactions,
        1,
        "account and event commit in a single transaction"
    );
    assert_eq!(
        counting.statements_containing("INSERT INTO users"),
        1,
        "one account row"
    );
    assert_eq!(
        counting.statements_containing("INSERT INTO outbox"),
        1,
        "one outbox row, in the same transaction"
    );
}

#[tokio::test]
async fn a_locked_account_costs_no_password_verification() {
    let (_clock, infra) = infra();
    let service = core(&infra, &settings()).await;
    service
        .register(registration("ann@example.com"), "req-1")
        .await
        .expect("registers");
    for _ in 0..5 {
        let _ = service
            .login("ann@example.com", Password::new("wrong password guess"))
            .await;
    }
    let before = service.hashing_stats().verifications;
    for _ in 0..20 {
        let refused = service
            .login("ann@example.com", Password::new(PASSWORD))
            .await;
        assert!(
            refused.is_err(),
            "the locked account refuses even the right password"
        );
    }
    assert_eq!(
        service.hashing_stats().verifications,
        before,
        "an attacker hammering a locked account must not make the server hash anything"
    );
}

#[tokio::test]
async fn each_registration_publishes_exactly_one_message() {
    let (clock, base) = infra();
    let broker = InMemoryBroker::new();
    let infra = base.with_bus(Arc::new(broker.clone()));
    let auth = AuthHarness::start_on(clock, infra, settings()).await;
    let mut probe = EventProbe::bind(
        auth.infra.bus.as_ref(),
        "perf.auth.registered",
        "auth.user.registered",
    )
    .await;
    for n in 0..5 {
        auth.register(&format!("user{n}@example.com")).await;
    }
    let mut received = 0;
    while received < 5 && probe.next().await.is_some() {
        received += 1;
    }
    assert_eq!(received, 5, "every registration's event arrives");
    assert_eq!(
        broker.metrics().published,
        5,
        "five registrations must publish five messages, not more"
    );
    auth.stop().await;
}
