//! PostgreSQL: the pool drops connections the server closed and opens new ones
//! (re-creating its schema) on the next call, inside one transaction as outside.

use mediaflow_shared::store::{
    PostgresDatabases, PostgresSettings, SqlDatabases, SqlStore, SqlValue, StoreError,
};

use super::outage::{assert_names_url, fails_in_time, report, succeeds_in_time};
use super::server::{Backend, PrivateServer};

/// Creates the table (the restarted server is a fresh cluster) and stores `n`.
async fn write(store: &dyn SqlStore, n: i64) -> Result<u64, StoreError> {
    store
        .execute_batch("CREATE TABLE IF NOT EXISTS visits (n BIGINT NOT NULL)")
        .await?;
    store
        .execute(
            "INSERT INTO visits (n) VALUES ($1)",
            &[SqlValue::Integer(n)],
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_postgres_fails_the_next_call_naming_the_url_and_the_pool_reconnects_after_a_restart()
 {
    let Some(server) = PrivateServer::start(Backend::Postgres).await else {
        return;
    };
    let settings = PostgresSettings::from_url(server.url()).expect("the script prints a URL");
    let url = settings.redacted_url().to_owned();
    let databases = PostgresDatabases::new(settings.with_pool_size(2));
    let store = databases.database("lost");
    write(store.as_ref(), 1)
        .await
        .expect("a call while the server runs");

    server.stop().await;
    let (error, error_after) = fails_in_time(
        "a PostgreSQL query",
        store.query("SELECT n FROM visits", &[]),
    )
    .await;
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
    assert_names_url(&error.to_string(), &url);
    let (error, _) = fails_in_time("BEGIN", store.begin()).await;
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");

    let restart = server.restart().await;
    let (written, recovered) =
        succeeds_in_time("a PostgreSQL write", write(store.as_ref(), 2)).await;
    assert_eq!(written, 1);
    let rows = store
        .query("SELECT n FROM visits", &[])
        .await
        .expect("a read after the restart");
    let values: Vec<i64> = rows.iter().map(|r| r.get("n").expect("n")).collect();
    assert_eq!(
        values,
        [2],
        "the restarted server holds what was written since"
    );
    let mut tx = store
        .begin()
        .await
        .expect("a transaction after the restart");
    tx.execute(
        "INSERT INTO visits (n) VALUES ($1)",
        &[SqlValue::Integer(3)],
    )
    .await
    .expect("a write in the transaction");
    tx.commit().await.expect("the commit");
    report("postgres", error_after, restart, recovered);
}
