//! One conformance suite for the SQL store, run on every engine: each test is
//! written once against `&dyn SqlDatabases` and instantiated twice by
//! `conformance!`, as `sqlite::<name>` (always) and `postgres::<name>`.
//!
//! The PostgreSQL instances need a server: set `MEDIAFLOW_TEST_POSTGRES_URL`
//! (`infrastructure/local/postgres.sh start` prints one; CI sets it). Without it
//! they print "skipped: MEDIAFLOW_TEST_POSTGRES_URL not set" and pass. Each
//! PostgreSQL test works in schemas of its own (a per-process, per-test prefix)
//! and drops them when it passes, so tests run in parallel on one database.

use std::sync::Arc;

use mediaflow_shared::config::Env;
use mediaflow_shared::params;
use mediaflow_shared::store::{
    Migration, PostgresDatabases, PostgresSettings, SqlDatabases, SqlStore, SqlValue,
    SqliteDatabases, StoreError, migrate,
};

/// The variable naming the throwaway PostgreSQL server of the suite.
const POSTGRES_URL_VAR: &str = "MEDIAFLOW_TEST_POSTGRES_URL";

/// PostgreSQL databases private to one test, or `None` when no server is configured.
fn postgres_databases(test: &str) -> Option<PostgresDatabases> {
    let env = Env::from_process();
    let url = env.raw(POSTGRES_URL_VAR)?;
    let settings = PostgresSettings::from_url(url)
        .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} must be {e}"));
    // Schema names are at most 63 bytes: a short hash of the test name, plus the
    // process id so a rerun never meets a failed run's leftovers.
    let hash = test.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let prefix = format!("t{}_{:08x}_", std::process::id(), hash & 0xffff_ffff);
    Some(PostgresDatabases::with_schema_prefix(settings, &prefix))
}

/// Instantiates each listed test for both engines.
macro_rules! conformance {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(&super::SqliteDatabases::in_memory()).await;
                }
            )+
        }

        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(databases) = super::postgres_databases(stringify!($name)) else {
                        eprintln!("skipped: {} not set", super::POSTGRES_URL_VAR);
                        return;
                    };
                    super::$name(&databases).await;
                    databases.drop_schemas().await.expect("the test's schemas are dropped");
                }
            )+
        }
    };
}

conformance!(
    every_value_type_round_trips_with_the_same_shape,
    integer_parameters_bind_to_int4_and_int8_columns_alike,
    placeholders_bind_by_number_out_of_order_and_repeated,
    a_placeholder_count_mismatch_is_the_same_sql_error,
    unique_and_not_null_violations_are_constraint_errors,
    a_syntax_error_is_an_sql_error_with_the_engines_text,
    execute_reports_the_rows_it_changed_and_query_reads_returning,
    a_committed_transaction_is_visible_and_a_rolled_back_one_is_not,
    a_dropped_transaction_rolls_back_and_frees_its_connection,
    two_services_are_isolated_and_a_name_always_gives_the_same_database,
    migrations_apply_once_with_checksums_and_edits_are_rejected,
    concurrent_increments_in_transactions_never_lose_an_update,
);

const VIDEOS: &str = "CREATE TABLE videos (id TEXT PRIMARY KEY, title TEXT NOT NULL, \
    views BIGINT NOT NULL, likes INTEGER NOT NULL DEFAULT 0, rating DOUBLE PRECISION, \
    published BOOLEAN NOT NULL, thumbnail BYTEA, note TEXT)";

async fn videos(databases: &dyn SqlDatabases) -> Arc<dyn SqlStore> {
    let store = databases.database("catalog");
    store
        .execute(VIDEOS, &[])
        .await
        .expect("the videos table is created");
    store
}

async fn insert_video(store: &dyn SqlStore, id: &str) {
    store
        .execute(
            "INSERT INTO videos (id, title, views, published) VALUES ($1, 't', 0, $2)",
            &params![id, false],
        )
        .await
        .expect("the insert succeeds");
}

async fn count_videos(store: &dyn SqlStore) -> i64 {
    store
        .query("SELECT COUNT(*) AS n FROM videos", &[])
        .await
        .expect("counting works")[0]
        .get("n")
        .expect("COUNT(*) is an integer")
}

async fn every_value_type_round_trips_with_the_same_shape(databases: &dyn SqlDatabases) {
    let store = videos(databases).await;
    store
        .execute(
            "INSERT INTO videos (id, title, views, likes, rating, published, thumbnail, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &params![
                "v1",
                "Crème brûlée ✓",
                9_007_199_254_740_993_i64,
                -7,
                4.25,
                true,
                vec![0_u8, 159, 255],
                None::<String>
            ],
        )
        .await
        .expect("the insert succeeds");
    let rows = store
        .query(
            "SELECT id, title, views, likes, rating, published, thumbnail, note FROM videos",
            &[],
        )
        .await
        .expect("the select succeeds");
    let row = &rows[0];
    let expected = [
        ("id", SqlValue::Text("v1".into())),
        ("title", SqlValue::Text("Crème brûlée ✓".into())),
        ("views", SqlValue::Integer(9_007_199_254_740_993)),
        ("likes", SqlValue::Integer(-7)),
        ("rating", SqlValue::Real(4.25)),
        // No boolean type in SQLite: both engines hand back 0/1.
        ("published", SqlValue::Integer(1)),
        ("thumbnail", SqlValue::Blob(vec![0, 159, 255])),
        ("note", SqlValue::Null),
    ];
    for (column, value) in &expected {
        assert_eq!(
            row.value(column).expect("the column is in the row"),
            value,
            "column `{column}` must read back as the value written, in the same shape"
        );
    }
    assert!(
        row.get::<bool>("published").expect("a boolean"),
        "a stored true must read back as true"
    );
    assert_eq!(
        row.columns(),
        [
            "id",
            "title",
            "views",
            "likes",
            "rating",
            "published",
            "thumbnail",
            "note"
        ],
        "columns must come back in the order selected"
    );

    let aggregates = store
        .query(
            "SELECT COUNT(*) AS n, SUM(views) AS total, SUM(likes) AS likes FROM videos \
             WHERE published = $1",
            &params![true],
        )
        .await
        .expect("aggregates work");
    assert_eq!(
        (
            aggregates[0].get::<i64>("n").expect("count"),
            aggregates[0].get::<i64>("total").expect("a sum of BIGINTs"),
            aggregates[0]
                .get::<i64>("likes")
                .expect("a sum of INTEGERs"),
        ),
        (1, 9_007_199_254_740_993, -7),
        "COUNT and SUM over integer columns must be exact integers on both engines"
    );
}

async fn integer_parameters_bind_to_int4_and_int8_columns_alike(databases: &dyn SqlDatabases) {
    let store = videos(databases).await;
    store
        .execute(
            "INSERT INTO videos (id, title, views, likes, published) VALUES ($1, 't', $2, $3, false)",
            &params!["v1", 5_i32, 3_i64],
        )
        .await
        .expect("an integer binds to an INTEGER and a BIGINT column");
    let rows = store
        .query(
            "SELECT id FROM videos WHERE likes = $1 AND views = $2 AND likes < $3 LIMIT $4",
            &params![3, 5, 10_000_000_000_i64, 10],
        )
        .await
        .expect("integers compare with INTEGER and BIGINT columns and fill LIMIT");
    assert_eq!(rows.len(), 1, "the video must match its own counts");
}

async fn placeholders_bind_by_number_out_of_order_and_repeated(databases: &dyn SqlDatabases) {
    let store = videos(databases).await;
    store
        .execute(
            "INSERT INTO videos (title, id, views, published, note) VALUES ($2, $1, $3, false, $2)",
            &params!["v1", "the title", 7],
        )
        .await
        .expect("the insert succeeds");
    let rows = store
        .query(
            "SELECT id, title, views, note FROM videos WHERE id = $1",
            &params!["v1"],
        )
        .await
        .expect("the select succeeds");
    assert_eq!(
        (
            rows[0].get::<String>("id").expect("id"),
            rows[0].get::<String>("title").expect("title"),
            rows[0].get::<i64>("views").expect("views"),
            rows[0].get::<String>("note").expect("note"),
        ),
        ("v1".into(), "the title".into(), 7, "the title".into()),
        "$n must receive the n-th value wherever and however often it appears"
    );
    let quoted = store
        .query("SELECT '$1' AS literal, $1 AS id", &params!["x"])
        .await
        .expect("a `$1` inside quotes is text, not a placeholder");
    assert_eq!(
        quoted[0].get::<String>("literal").expect("literal"),
        "$1",
        "quoted text must stay as written"
    );
}

async fn a_placeholder_count_mismatch_is_the_same_sql_error(databases: &dyn SqlDatabases) {
    let store = videos(databases).await;
    let too_few = store
        .query(
            "SELECT id FROM videos WHERE id = $1 AND title = $2",
            &params!["v1"],
        )
        .await;
    assert!(
        matches!(&too_few, Err(StoreError::Sql(m))
            if m.contains("2 distinct placeholders") && m.contains("1 values")),
        "one value for two placeholders must name both counts, got {too_few:?}"
    );
    let gap = store
        .query(
            "SELECT id FROM videos WHERE id = $1 AND title = $3",
            &params!["a", "b"],
        )
        .await;
    assert!(
        matches!(&gap, Err(StoreError::Sql(m)) if m.contains("$2")),
        "a gap in placeholder numbers must name the missing placeholder, got {gap:?}"
    );
}

async fn unique_and_not_null_violations_are_constraint_errors(databases: &dyn SqlDatabases) {
    let store = videos(databases).await;
    insert_video(&*store, "dup").await;
    let duplicate = store
        .execute(
            "INSERT INTO videos (id, title, views, published) VALUES ($1, 't', 0, false)",
            &params!["dup"],
        )
        .await;
    assert!(
        matches!(duplicate, Err(StoreError::Constraint(_))),
        "a duplicate primary key must be a constraint violation, got {duplicate:?}"
    );
    let missing = store
        .execute(
            "INSERT INTO videos (id, title, views, published) VALUES ($1, $2, 0, false)",
            &params!["v2", None::<String>],
        )
        .await;
    assert!(
        matches!(missing, Err(StoreError::Constraint(_))),
        "NULL in a NOT NULL column must be a constraint violation, got {missing:?}"
    );
    assert_eq!(
        count_videos(&*store).await,
        1,
        "rejected writes must leave nothing"
    );
}

async fn a_syntax_error_is_an_sql_error_with_the_engines_text(databases: &dyn SqlDatabases) {
    let store = videos(databases).await;
    let result = store.query("SELEC id FROM videos", &[]).await;
    assert!(
        matches!(&result, Err(StoreError::Sql(m)) if m.contains("syntax error")),
        "a malformed statement must be an sql error carrying the engine's message, got {result:?}"
    );
    let missing = store.query("SELECT id FROM no_such_table", &[]).await;
    assert!(
        matches!(missing, Err(StoreError::Sql(_))),
        "a missing table must be an sql error, got {missing:?}"
    );
}

async fn execute_reports_the_rows_it_changed_and_query_reads_returning(
    databases: &dyn SqlDatabases,
) {
    let store = videos(databases).await;
    for id in ["a", "b", "c"] {
        insert_video(&*store, id).await;
    }
    let changed = store
        .execute(
            "UPDATE videos SET views = views + $1 WHERE id <> $2",
            &params![10, "c"],
        )
        .await
        .expect("the update succeeds");
    assert_eq!(changed, 2, "execute must return the number of rows updated");
    let returned = store
        .query(
            "UPDATE videos SET views = views + 1 WHERE id = $1 RETURNING views",
            &params!["a"],
        )
        .await
        .expect("UPDATE … RETURNING runs as a query");
    assert_eq!(
        returned[0].get::<i64>("views").expect("views"),
        11,
        "RETURNING must give the new value"
    );
    let deleted = store
        .execute("DELETE FROM videos", &[])
        .await
        .expect("delete");
    assert_eq!(deleted, 3, "execute must return the number of rows deleted");
}

async fn a_committed_transaction_is_visible_and_a_rolled_back_one_is_not(
    databases: &dyn SqlDatabases,
) {
    let store = videos(databases).await;
    let mut tx = store.begin().await.expect("a transaction starts");
    tx.execute(
        "INSERT INTO videos (id, title, views, published) VALUES ($1, 't', 0, false)",
        &params!["kept"],
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
        count_videos(&*store).await,
        1,
        "a committed insert must persist"
    );

    let mut tx = store.begin().await.expect("a transaction starts");
    tx.execute(
        "INSERT INTO videos (id, title, views, published) VALUES ($1, 't', 0, false)",
        &params!["undone"],
    )
    .await
    .expect("the insert succeeds");
    tx.rollback().await.expect("the rollback succeeds");
    assert_eq!(
        count_videos(&*store).await,
        1,
        "a rolled-back insert must leave no row"
    );
}

async fn a_dropped_transaction_rolls_back_and_frees_its_connection(databases: &dyn SqlDatabases) {
    let store = videos(databases).await;
    // More dropped transactions than any pool has connections: each must give
    // its connection back, rolled back.
    for attempt in 0..8 {
        let mut tx = store.begin().await.expect("a transaction starts");
        tx.execute(
            "INSERT INTO videos (id, title, views, published) VALUES ($1, 't', 0, false)",
            &params![format!("dropped-{attempt}")],
        )
        .await
        .expect("the insert succeeds");
    }
    assert_eq!(
        count_videos(&*store).await,
        0,
        "transactions dropped without commit must roll back"
    );
    let mut next = store.begin().await.expect("a new transaction starts");
    next.execute(
        "INSERT INTO videos (id, title, views, published) VALUES ('b', 't', 0, false)",
        &[],
    )
    .await
    .expect("the insert succeeds");
    next.commit().await.expect("the commit succeeds");
    assert_eq!(
        count_videos(&*store).await,
        1,
        "the next transaction must work normally"
    );
}

async fn two_services_are_isolated_and_a_name_always_gives_the_same_database(
    databases: &dyn SqlDatabases,
) {
    let catalog = videos(databases).await;
    insert_video(&*catalog, "v1").await;
    assert_eq!(
        count_videos(&*databases.database("catalog")).await,
        1,
        "asking for `catalog` again must give the same database"
    );
    let billing = databases.database("billing");
    let isolated = billing.query("SELECT id FROM videos", &[]).await;
    assert!(
        matches!(isolated, Err(StoreError::Sql(_))),
        "the billing database must not see the catalog's tables, got {isolated:?}"
    );
    billing
        .execute(VIDEOS, &[])
        .await
        .expect("billing may create a table of the same name");
    assert_eq!(
        count_videos(&*billing).await,
        0,
        "billing's table of the same name must be its own"
    );
}

const V1: Migration = Migration {
    version: 1,
    name: "videos",
    sql: "CREATE TABLE videos (id TEXT PRIMARY KEY, title TEXT NOT NULL)",
};
const V2: Migration = Migration {
    version: 2,
    name: "views; and an index",
    sql: "ALTER TABLE videos ADD COLUMN views BIGINT NOT NULL DEFAULT 0;
          -- a comment; with a semicolon
          CREATE INDEX videos_views ON videos (views);",
};

async fn migrations_apply_once_with_checksums_and_edits_are_rejected(databases: &dyn SqlDatabases) {
    let store = databases.database("catalog");
    let first = migrate(&*store, &[V1, V2]).await.expect("migrations apply");
    assert_eq!(
        first.applied,
        [1, 2],
        "both migrations must apply, in order"
    );
    let again = migrate(&*store, &[V1, V2])
        .await
        .expect("migrating again works");
    assert_eq!(
        (again.applied.len(), again.already),
        (0, 2),
        "a second run must apply nothing"
    );
    let recorded = store
        .query(
            "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .expect("schema_migrations is readable");
    assert_eq!(recorded.len(), 2, "each version must be recorded once");
    for row in &recorded {
        let checksum: String = row.get("checksum").expect("checksum");
        assert!(
            checksum.len() == 64 && checksum.bytes().all(|b| b.is_ascii_hexdigit()),
            "the checksum must be a sha-256 in hex, got {checksum}"
        );
        assert!(
            row.get::<i64>("applied_at").expect("applied_at") > 1_600_000_000,
            "applied_at must be the database's clock in Unix seconds"
        );
    }
    insert_with_views(&*store).await;

    let edited = Migration {
        sql: "CREATE TABLE videos (id TEXT PRIMARY KEY)",
        ..V1
    };
    let rejected = migrate(&*store, &[edited, V2]).await;
    assert!(
        matches!(
            rejected,
            Err(StoreError::MigrationChanged { version: 1, .. })
        ),
        "an edited applied migration must be rejected, got {rejected:?}"
    );
    let failing = Migration {
        version: 3,
        name: "broken",
        sql: "CREATE TABLE tags (video_id TEXT); CREATE TABLE broken (",
    };
    let failed = migrate(&*store, &[V1, V2, failing]).await;
    assert!(
        matches!(&failed, Err(StoreError::Sql(m)) if m.contains("migration 3")),
        "a failing script must name its version, got {failed:?}"
    );
    let tags = store.query("SELECT video_id FROM tags", &[]).await;
    assert!(
        tags.is_err(),
        "a failed migration must leave none of its statements behind"
    );
}

async fn insert_with_views(store: &dyn SqlStore) {
    store
        .execute(
            "INSERT INTO videos (id, title, views) VALUES ($1, $2, $3)",
            &params!["v1", "t", 3],
        )
        .await
        .expect("the migrated schema has the views column");
}

async fn concurrent_increments_in_transactions_never_lose_an_update(databases: &dyn SqlDatabases) {
    const TASKS: usize = 4;
    const INCREMENTS: usize = 10;
    let store = databases.database("counters");
    store
        .execute_batch(
            "CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL); \
             INSERT INTO counters VALUES ('views', 0);",
        )
        .await
        .expect("the schema is created");
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let mut conflicts = 0_usize;
            for _ in 0..INCREMENTS {
                // A conflict is the engine refusing to lose an update: retry.
                loop {
                    match increment(&*store).await {
                        Ok(()) => break,
                        Err(StoreError::Conflict(_)) if conflicts < 1_000 => conflicts += 1,
                        Err(other) => panic!("an increment failed: {other:?}"),
                    }
                }
            }
            conflicts
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
        i64::try_from(TASKS * INCREMENTS).expect("small"),
        "every committed read-modify-write must count: a transaction must isolate its read \
         from other writers or fail with a conflict"
    );
}

/// Reads the counter, yields, writes it plus one, commits.
async fn increment(store: &dyn SqlStore) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    let rows = tx
        .query("SELECT value FROM counters WHERE name = 'views'", &[])
        .await?;
    let value: i64 = rows[0].get("value")?;
    tokio::task::yield_now().await;
    tx.execute(
        "UPDATE counters SET value = $1 WHERE name = 'views'",
        &params![value + 1],
    )
    .await?;
    tx.commit().await
}

#[tokio::test]
async fn an_unreachable_postgres_server_is_unavailable_naming_the_url_without_its_password() {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    let env = Env::from_pairs([(
        "MEDIAFLOW_DATABASE_URL",
        "postgres://mediaflow:s3cret-pw@127.0.0.1:1/mediaflow",
    )]);
    let infra = mediaflow_shared::Infra::from_env(&env).expect("settings are valid");
    assert_eq!(
        infra.kind().to_string(),
        "SQL on PostgreSQL, the rest embedded",
        "status lines must say where the data lives"
    );
    assert!(
        format!("{:?}", infra.databases).contains("PostgresDatabases"),
        "MEDIAFLOW_DATABASE_URL must select the PostgreSQL store, got {:?}",
        infra.databases
    );
    let err = infra
        .database("catalog")
        .query("SELECT 1 AS one", &[])
        .await
        .expect_err("nothing listens on port 1");
    let StoreError::Unavailable(message) = &err else {
        panic!("a refused connection must be Unavailable, got {err:?}");
    };
    assert!(
        message.contains("postgres://mediaflow:***@127.0.0.1:1/mediaflow"),
        "the error must name the server, got: {message}"
    );
    assert!(
        !message.contains("s3cret-pw") && !format!("{:?}", infra.databases).contains("s3cret-pw"),
        "the password must never be shown, got: {message}"
    );
}

#[test]
fn without_a_database_url_the_sql_store_stays_embedded() {
    let infra = mediaflow_shared::Infra::from_env(&Env::default()).expect("defaults are valid");
    assert_eq!(infra.kind().to_string(), "embedded");
    assert!(
        format!("{:?}", infra.databases).contains("SqliteDatabases"),
        "the embedded SQLite store must stay the default, got {:?}",
        infra.databases
    );
}

#[test]
fn a_database_url_that_is_not_postgres_is_rejected_naming_the_variable() {
    let env = Env::from_pairs([("MEDIAFLOW_DATABASE_URL", "mysql://u:pw@host/db")]);
    let err = mediaflow_shared::Infra::from_env(&env).expect_err("not a postgres URL");
    let message = err.to_string();
    assert!(
        message.contains("MEDIAFLOW_DATABASE_URL") && !message.contains("pw@"),
        "the error must name the variable and hide the password, got: {message}"
    );
}
