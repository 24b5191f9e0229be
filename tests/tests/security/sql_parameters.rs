//! SQL injection: hostile text bound as a parameter stays data, and `LIKE`
//! wildcards in user input are escaped with `store::like_pattern`.

use mediaflow_shared::params;
use mediaflow_shared::store::{SqlStore, SqliteStore, like_contains, like_pattern};

const SEARCH: &str = "SELECT id FROM videos WHERE title LIKE $1 ESCAPE '\\' ORDER BY id";

async fn catalog() -> SqliteStore {
    let store = SqliteStore::open_in_memory().expect("opens");
    store
        .execute_batch(
            "CREATE TABLE videos (id TEXT PRIMARY KEY, title TEXT NOT NULL, owner TEXT NOT NULL);
             INSERT INTO videos VALUES ('v1', 'Rust in 100 minutes', 'alice');
             INSERT INTO videos VALUES ('v2', 'Save 50% on streaming', 'bob');
             INSERT INTO videos VALUES ('v3', 'snake_case explained', 'carol');
             INSERT INTO videos VALUES ('v4', 'C:\\Users\\paths', 'dave');
             CREATE TABLE secrets (token TEXT NOT NULL);
             INSERT INTO secrets VALUES ('s3cr3t');",
        )
        .await
        .expect("the catalog is seeded");
    store
}

async fn ids(store: &dyn SqlStore, sql: &str, value: &str) -> Vec<String> {
    store
        .query(sql, &params![value])
        .await
        .expect("a bound hostile value is a valid query")
        .iter()
        .map(|row| row.get("id").expect("id is text"))
        .collect()
}

#[tokio::test]
async fn a_quote_or_1_equals_1_payload_bound_as_data_matches_nothing() {
    let store = catalog().await;
    let found = ids(
        &store,
        "SELECT id FROM videos WHERE owner = $1",
        "' OR 1=1 --",
    )
    .await;
    assert!(
        found.is_empty(),
        "an owner literally named `' OR 1=1 --` must match no video, got {found:?}"
    );
}

#[tokio::test]
async fn a_union_payload_returns_no_rows_from_another_table() {
    let store = catalog().await;
    let payload = "x' UNION SELECT token FROM secrets --";
    let found = ids(&store, "SELECT id FROM videos WHERE owner = $1", payload).await;
    assert!(
        found.is_empty(),
        "a UNION payload bound as data must not leak the secrets table, got {found:?}"
    );
}

#[tokio::test]
async fn a_stacked_drop_table_payload_leaves_the_table_intact() {
    let store = catalog().await;
    let found = ids(
        &store,
        "SELECT id FROM videos WHERE owner = $1",
        "'; DROP TABLE videos; --",
    )
    .await;
    assert!(found.is_empty(), "the payload must match nothing");
    let all = store
        .query("SELECT id FROM videos", &[])
        .await
        .expect("the videos table must still exist");
    assert_eq!(all.len(), 4, "no video may be lost to a stacked statement");
}

#[tokio::test]
async fn a_percent_in_search_text_matches_a_literal_percent() {
    let store = catalog().await;
    assert_eq!(
        ids(&store, SEARCH, &like_contains("50%")).await,
        vec!["v2".to_owned()],
        "searching `50%` must find only the title containing `50%`"
    );
    let everything = ids(&store, SEARCH, &like_contains("%")).await;
    assert_eq!(
        everything,
        vec!["v2".to_owned()],
        "a bare `%` must match only titles with a percent sign, got {everything:?}"
    );
}

#[tokio::test]
async fn an_underscore_in_search_text_matches_a_literal_underscore() {
    let store = catalog().await;
    assert_eq!(
        ids(&store, SEARCH, &like_contains("_")).await,
        vec!["v3".to_owned()],
        "searching `_` must find only the title with an underscore, not every title"
    );
}

#[tokio::test]
async fn a_backslash_in_search_text_matches_a_literal_backslash() {
    let store = catalog().await;
    assert_eq!(
        ids(&store, SEARCH, &like_contains("C:\\Users")).await,
        vec!["v4".to_owned()],
        "a backslash typed by the user must match itself, not escape the next character"
    );
}

#[tokio::test]
async fn an_unescaped_wildcard_would_match_every_title() {
    let store = catalog().await;
    let raw = ids(&store, SEARCH, "%_%").await;
    assert_eq!(
        raw.len(),
        4,
        "the raw pattern `%_%` matches everything, which is why user text must be escaped"
    );
    let escaped = ids(&store, SEARCH, &like_contains("%_%")).await;
    assert!(
        escaped.is_empty(),
        "escaped, `%_%` must only match that literal text, got {escaped:?}"
    );
}

#[test]
fn like_pattern_escapes_backslash_percent_and_underscore() {
    assert_eq!(
        like_pattern("50%_off\\"),
        "50\\%\\_off\\\\",
        "each of `%`, `_`, `\\` must be prefixed by a backslash"
    );
    assert_eq!(
        like_pattern("plain text"),
        "plain text",
        "text without wildcards must pass unchanged"
    );
    assert_eq!(
        like_contains("a_b"),
        "%a\\_b%",
        "like_contains must wrap the escaped text in `%`"
    );
}
