//! The embedded SQL store: typed round trips, `$n` binding, error kinds,
//! transactions (commit, rollback, drop) and one database per service.

use std::sync::Arc;

use mediaflow_shared::params;
use mediaflow_shared::store::{
    SqlDatabases, SqlStore, SqlValue, SqliteDatabases, SqliteStore, StoreError,
};

async fn store_with_videos() -> SqliteStore {
    let store = SqliteStore::open_in_memory().expect("an in-memory database opens");
    store
        .execute(
            "CREATE TABLE videos (id TEXT PRIMARY KEY, title TEXT NOT NULL, views BIGINT NOT NULL, \
             rating REAL, published BOOLEAN NOT NULL, note TEXT)",
            &[],
        )
        .await
        .expect("the videos table is created");
    store
}

async fn count_videos(store: &dyn SqlStore) -> i64 {
    let rows = store
        .query("SELECT COUNT(*) AS n FROM videos", &[])
        .await
        .expect("counting videos works");
    rows[0].get("n").expect("the count is an integer")
}

#[tokio::test]
async fn integers_text_reals_and_nulls_round_trip_with_their_types() {
    let store = store_with_videos().await;
    store
        .execute(
            "INSERT INTO videos (id, title, views, rating, published, note) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &params![
                "v1",
                "Intro to Rust",
                9_007_199_254_740_993_i64,
                4.25,
                true,
                None::<String>
            ],
        )
        .await
        .expect("the insert succeeds");

    let rows = store
        .query("SELECT * FROM videos WHERE id = $1", &params!["v1"])
        .await
        .expect("the select succeeds");
    assert_eq!(rows.len(), 1, "exactly the inserted video must come back");
    let row = &rows[0];
    assert_eq!(
        row.get::<String>("title").expect("title"),
        "Intro to Rust",
        "text must round-trip"
    );
    assert_eq!(
        row.get::<i64>("views").expect("views"),
        9_007_199_254_740_993,
        "a 64-bit integer beyond f64 precision must round-trip exactly"
    );
    assert!(
        (row.get::<f64>("rating").expect("rating") - 4.25).abs() < f64::EPSILON,
        "a real must round-trip"
    );
    assert_eq!(
        row.get::<Option<String>>("note").expect("note"),
        None,
        "NULL must read back as None"
    );
    assert_eq!(
        row.value("note").expect("note"),
        &SqlValue::Null,
        "the raw value of a NULL column must be Null"
    );
}

#[tokio::test]
async fn booleans_are_stored_as_zero_and_one_and_read_back_as_bool() {
    let store = store_with_videos().await;
    for (id, published) in [("a", true), ("b", false)] {
        store
            .execute(
                "INSERT INTO videos (id, title, views, published) VALUES ($1, 't', 0, $2)",
                &params![id, published],
            )
            .await
            .expect("the insert succeeds");
    }
    let rows = store
        .query("SELECT id, published FROM videos ORDER BY id", &[])
        .await
        .expect("the select succeeds");
    assert_eq!(
        rows[0].value("published").expect("column"),
        &SqlValue::Integer(1),
        "true must be stored as 1"
    );
    assert_eq!(
        rows[1].value("published").expect("column"),
        &SqlValue::Integer(0),
        "false must be stored as 0"
    );
    assert!(
        rows[0].get::<bool>("published").expect("bool"),
        "1 must read back as true"
    );
    assert!(
        !rows[1].get::<bool>("published").expect("bool"),
        "0 must read back as false"
    );

    let published = store
        .query("SELECT id FROM videos WHERE published = $1", &params![true])
        .await
        .expect("filtering on a bool works");
    assert_eq!(
        published.len(),
        1,
        "a bool parameter must compare equal to the stored 1"
    );
}

#[tokio::test]
async fn placeholders_bind_by_number_even_when_written_out_of_order() {
    let store = store_with_videos().await;
    store
        .execute(
            "INSERT INTO videos (title, id, views, published) VALUES ($2, $1, $3, false)",
            &params!["v1", "the title", 7],
        )
        .await
        .expect("the insert succeeds");
    let rows = store
        .query("SELECT id, title, views FROM videos", &[])
        .await
        .expect("the select succeeds");
    assert_eq!(
        rows[0].get::<String>("id").expect("id"),
        "v1",
        "$1 must receive the first value wherever it appears"
    );
    assert_eq!(
        rows[0].get::<String>("title").expect("title"),
        "the title",
        "$2 must receive the second value"
    );
    assert_eq!(
        rows[0].get::<i64>("views").expect("views"),
        7,
        "$3 must receive the third value"
    );
}

#[tokio::test]
async fn a_placeholder_used_twice_takes_one_value() {
    let store = store_with_videos().await;
    store
        .execute(
            "INSERT INTO videos (id, title, views, published) VALUES ($1, $1, $2, false)",
            &params!["same", 1],
        )
        .await
        .expect("one value may fill two uses of the same placeholder");
    let rows = store
        .query("SELECT title FROM videos WHERE id = $1", &params!["same"])
        .await
        .expect("the select succeeds");
    assert_eq!(
        rows[0].get::<String>("title").expect("title"),
        "same",
        "both uses of $1 must see the same value"
    );
}

#[tokio::test]
async fn a_parameter_count_mismatch_is_a_clear_error() {
    let store = store_with_videos().await;
    let too_few = store
        .query(
            "SELECT id FROM videos WHERE id = $1 AND title = $2",
            &params!["v1"],
        )
        .await;
    match too_few {
        Err(StoreError::Sql(message)) => assert!(
            message.contains("2 distinct placeholders") && message.contains("1 values"),
            "the error must say how many placeholders and values there were, got: {message}"
        ),
        other => panic!("one value for two placeholders must be an sql error, got {other:?}"),
    }
    let gap = store
        .query(
            "SELECT id FROM videos WHERE id = $1 AND title = $3",
            &params!["a", "b"],
        )
        .await;
    assert!(
        matches!(&gap, Err(StoreError::Sql(message)) if message.contains("$2")),
        "a gap in placeholder numbers must name the missing placeholder, got {gap:?}"
    );
}

#[tokio::test]
async fn a_unique_violation_is_reported_as_a_constraint_error() {
    let store = store_with_videos().await;
    let insert = "INSERT INTO videos (id, title, views, published) VALUES ($1, 't', 0, false)";
    store
        .execute(insert, &params!["dup"])
        .await
        .expect("the first insert succeeds");
    let second = store.execute(insert, &params!["dup"]).await;
    assert!(
        matches!(second, Err(StoreError::Constraint(_))),
        "a duplicate primary key must be a constraint violation, got {second:?}"
    );
}

#[tokio::test]
async fn foreign_keys_are_enforced() {
    let store = store_with_videos().await;
    store
        .execute(
            "CREATE TABLE comments (id BIGINT PRIMARY KEY, video_id TEXT NOT NULL REFERENCES videos (id))",
            &[],
        )
        .await
        .expect("the comments table is created");
    let orphan = store
        .execute(
            "INSERT INTO comments (id, video_id) VALUES ($1, $2)",
            &params![1, "missing"],
        )
        .await;
    assert!(
        matches!(orphan, Err(StoreError::Constraint(_))),
        "a comment on a missing video must violate the foreign key, got {orphan:?}"
    );
}

#[tokio::test]
async fn a_syntax_error_is_an_sql_error_with_the_engines_text() {
    let store = store_with_videos().await;
    let result = store.query("SELEC id FROM videos", &[]).await;
    assert!(
        matches!(&result, Err(StoreError::Sql(message)) if message.contains("syntax error")),
        "a malformed statement must be an sql error carrying SQLite's message, got {result:?}"
    );
}

#[tokio::test]
async fn a_committed_transaction_is_visible_afterwards() {
    let store = store_with_videos().await;
    let mut tx = store.begin().await.expect("a transaction starts");
    tx.execute(
        "INSERT INTO videos (id, title, views, published) VALUES ('a', 't', 0, false)",
        &[],
    )
    .await
    .expect("the insert succeeds");
    let inside = tx
        .query("SELECT id FROM videos", &[])
        .await
        .expect("reading inside works");
    assert_eq!(inside.len(), 1, "a transaction must see its own writes");
    tx.commit().await.expect("the commit succeeds");
    assert_eq!(
        count_videos(&store).await,
        1,
        "a committed insert must persist"
    );
}

#[tokio::test]
async fn a_rolled_back_transaction_leaves_no_rows() {
    let store = store_with_videos().await;
    let mut tx = store.begin().await.expect("a transaction starts");
    tx.execute(
        "INSERT INTO videos (id, title, views, published) VALUES ('a', 't', 0, false)",
        &[],
    )
    .await
    .expect("the insert succeeds");
    tx.rollback().await.expect("the rollback succeeds");
    assert_eq!(
        count_videos(&store).await,
        0,
        "a rolled-back insert must leave no row"
    );
}

#[tokio::test]
async fn dropping_a_transaction_rolls_it_back_and_frees_the_database() {
    let store = store_with_videos().await;
    {
        let mut tx = store.begin().await.expect("a transaction starts");
        tx.execute(
            "INSERT INTO videos (id, title, views, published) VALUES ('a', 't', 0, false)",
            &[],
        )
        .await
        .expect("the insert succeeds");
    }
    assert_eq!(
        count_videos(&store).await,
        0,
        "a transaction dropped without commit must roll back"
    );
    let mut next = store
        .begin()
        .await
        .expect("a new transaction starts after the dropped one");
    next.execute(
        "INSERT INTO videos (id, title, views, published) VALUES ('b', 't', 0, false)",
        &[],
    )
    .await
    .expect("the insert succeeds");
    next.commit().await.expect("the commit succeeds");
    assert_eq!(
        count_videos(&store).await,
        1,
        "the next transaction must work normally"
    );
}

#[tokio::test]
async fn concurrent_read_modify_write_transactions_do_not_lose_updates() {
    let store: Arc<dyn SqlStore> = Arc::new(SqliteStore::open_in_memory().expect("opens"));
    store
        .execute_batch(
            "CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL); \
                        INSERT INTO counters VALUES ('views', 0);",
        )
        .await
        .expect("the schema is created");
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            for _ in 0..25 {
                let mut tx = store.begin().await.expect("a transaction starts");
                let rows = tx
                    .query("SELECT value FROM counters WHERE name = 'views'", &[])
                    .await
                    .expect("read");
                let value: i64 = rows[0].get("value").expect("value");
                tokio::task::yield_now().await;
                tx.execute(
                    "UPDATE counters SET value = $1 WHERE name = 'views'",
                    &params![value + 1],
                )
                .await
                .expect("write");
                tx.commit().await.expect("commit");
            }
        }));
    }
    for task in tasks {
        task.await.expect("the task completes");
    }
    let rows = store
        .query("SELECT value FROM counters", &[])
        .await
        .expect("read");
    assert_eq!(
        rows[0].get::<i64>("value").expect("value"),
        100,
        "100 increments in transactions must give 100: a transaction must isolate its read from other writers"
    );
}

#[tokio::test]
async fn each_service_gets_its_own_database_and_the_same_handle_each_time() {
    let databases = SqliteDatabases::in_memory();
    let catalog = databases.database("catalog");
    catalog
        .execute("CREATE TABLE videos (id TEXT PRIMARY KEY)", &[])
        .await
        .expect("the catalog schema is created");
    catalog
        .execute("INSERT INTO videos VALUES ('v1')", &[])
        .await
        .expect("insert");

    let again = databases.database("catalog");
    let rows = again
        .query("SELECT id FROM videos", &[])
        .await
        .expect("the same database is returned");
    assert_eq!(
        rows.len(),
        1,
        "asking for `catalog` twice must return the same database"
    );

    let billing = databases.database("billing");
    let isolated = billing.query("SELECT id FROM videos", &[]).await;
    assert!(
        matches!(isolated, Err(StoreError::Sql(_))),
        "the billing database must not see the catalog's tables, got {isolated:?}"
    );
}

#[tokio::test]
async fn file_databases_persist_under_the_service_name() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    {
        let databases = SqliteDatabases::at_dir(dir.path().join("data"));
        let users = databases.database("users");
        users
            .execute("CREATE TABLE t (x BIGINT)", &[])
            .await
            .expect("create");
        users
            .execute("INSERT INTO t VALUES (42)", &[])
            .await
            .expect("insert");
    }
    assert!(
        dir.path().join("data").join("users.sqlite3").exists(),
        "the users database must be the file `users.sqlite3` in the data directory"
    );
    let reopened = SqliteDatabases::at_dir(dir.path().join("data")).database("users");
    let rows = reopened
        .query("SELECT x FROM t", &[])
        .await
        .expect("the table survives a reopen");
    assert_eq!(
        rows[0].get::<i64>("x").expect("x"),
        42,
        "data written before must be read after reopening"
    );
}

#[test]
#[should_panic(expected = "database name `../etc` is invalid")]
fn a_database_name_that_is_not_a_safe_file_name_is_rejected() {
    let databases = SqliteDatabases::in_memory();
    let _store = databases.database("../etc");
}

#[tokio::test]
async fn a_repeated_select_star_sees_columns_added_by_a_later_migration() {
    let store = store_with_videos().await;
    store
        .execute(
            "INSERT INTO videos (id, title, views, published) VALUES ('v1', 't', 0, false)",
            &[],
        )
        .await
        .expect("insert");
    let before = store
        .query("SELECT * FROM videos", &[])
        .await
        .expect("select");
    assert!(
        before[0].value("language").is_err(),
        "the column does not exist yet"
    );
    store
        .execute(
            "ALTER TABLE videos ADD COLUMN language TEXT NOT NULL DEFAULT 'en'",
            &[],
        )
        .await
        .expect("alter");
    let after = store
        .query("SELECT * FROM videos", &[])
        .await
        .expect("select");
    assert_eq!(
        after[0]
            .get::<String>("language")
            .expect("the new column must be in the row"),
        "en",
        "a statement prepared before the schema change must not hide the new column"
    );
}

#[tokio::test(start_paused = true)]
async fn a_store_call_while_the_same_task_holds_a_transaction_fails_instead_of_hanging() {
    let store = SqliteStore::open_in_memory().expect("open");
    store
        .execute_batch("CREATE TABLE t (id BIGINT PRIMARY KEY)")
        .await
        .expect("create");
    let tx = store.begin().await.expect("begin");
    let err = store
        .query("SELECT id FROM t", &[])
        .await
        .expect_err("the connection is held by the open transaction");
    assert!(
        matches!(err, StoreError::Conflict(ref m) if m.contains("transaction holds it")),
        "expected a busy conflict naming the open transaction, got {err:?}"
    );
    drop(tx);
    assert!(
        store.query("SELECT id FROM t", &[]).await.is_ok(),
        "once the transaction ends the store answers again"
    );
}
