//! The catalog's counted work: statements per read with a warm cache, one
//! database load for concurrent cold reads of a video, a constant number of
//! statements per list page whatever its size, snapshots bounding replays, one
//! transaction per command, and TTL jitter spreading expiries.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use mediaflow_catalog::Settings;
use mediaflow_catalog::domain::VideoId;
use mediaflow_catalog::routes::ListBody;
use mediaflow_catalog::service::video_cache_key;
use mediaflow_shared::auth::Role;
use mediaflow_shared::store::{Dialect, Row, SqlStore, SqlTransaction, SqlValue, StoreError};
use mediaflow_tests::support::catalog::{self, CatalogApp};
use mediaflow_tests::support::counting::CountingStore;
use mediaflow_tests::support::databases::wrap_store;
use mediaflow_tests::support::fixtures::infra;
use serde_json::json;
use tokio::sync::watch;

async fn counted(settings: Settings) -> (CatalogApp, Arc<CountingStore>) {
    let (clock, infra) = infra();
    let (infra, counting) = wrap_store(&infra, mediaflow_catalog::SERVICE, CountingStore::new);
    let app = CatalogApp::spawn_on(infra, clock, settings).await;
    (app, counting)
}

/// Waits for the relay to go quiet, then starts counting from zero.
async fn settle(app: &CatalogApp, store: &CountingStore) {
    assert!(
        app.outbox_drained().await,
        "the relay must publish the setup's events"
    );
    store.reset();
}

#[tokio::test]
async fn a_warm_cache_serves_a_video_without_touching_the_database() {
    let (app, store) = counted(catalog::settings()).await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let video = app
        .publish_video(&creator, &admin, "Night Train", "drama")
        .await;
    let path = format!("/videos/{}", video.id);
    settle(&app, &store).await;
    assert_eq!(
        app.get(None, &path).await.status(),
        200,
        "the first read loads the video"
    );
    assert_eq!(
        store.request_statements().len(),
        1,
        "a cold read is exactly one statement, got {:?}",
        store.request_statements()
    );
    store.reset();
    for _ in 0..5 {
        assert_eq!(
            app.get(None, &path).await.status(),
            200,
            "warm reads succeed"
        );
    }
    assert_eq!(
        store.request_statements(),
        Vec::<String>::new(),
        "five reads of a cached video must run no statement"
    );
}

/// A store that holds every single-video read at a gate until the test opens
/// it, so concurrent readers are certain to overlap with the first load.
struct GatedStore {
    inner: Arc<dyn SqlStore>,
    open: watch::Sender<bool>,
    loads: AtomicUsize,
}

impl fmt::Debug for GatedStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatedStore").finish_non_exhaustive()
    }
}

impl GatedStore {
    fn new(inner: Arc<dyn SqlStore>) -> Self {
        Self {
            inner,
            open: watch::channel(true).0,
            loads: AtomicUsize::new(0),
        }
    }
}

#[async_trait]
impl SqlStore for GatedStore {
    fn dialect(&self) -> Dialect {
        self.inner.dialect()
    }
    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        self.inner.execute(sql, params).await
    }
    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        if sql.contains("FROM videos WHERE id") {
            self.loads.fetch_add(1, Ordering::SeqCst);
            let mut open = self.open.subscribe();
            let _ = open.wait_for(|open| *open).await;
        }
        self.inner.query(sql, params).await
    }
    async fn execute_batch(&self, sql: &str) -> Result<(), StoreError> {
        self.inner.execute_batch(sql).await
    }
    async fn begin(&self) -> Result<Box<dyn SqlTransaction>, StoreError> {
        self.inner.begin().await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_cold_reads_of_one_video_load_it_from_the_database_once() {
    let (clock, infra) = infra();
    let (infra, gate) = wrap_store(&infra, mediaflow_catalog::SERVICE, GatedStore::new);
    let app = CatalogApp::spawn_on(infra, clock, catalog::settings()).await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let video = app
        .publish_video(&creator, &admin, "Premiere", "drama")
        .await;
    gate.open.send_replace(false);

    let url = app.url(&format!("/videos/{}", video.id));
    let mut readers = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let (http, url) = (app.http.clone(), url.clone());
        readers.spawn(async move { http.get(url).send().await.map(|r| r.status().as_u16()) });
    }
    // Give the readers time to pile up behind the first load.
    tokio::time::sleep(Duration::from_millis(20)).await;
    gate.open.send_replace(true);
    while let Some(status) = readers.join_next().await {
        assert_eq!(
            status.expect("joined").expect("answered"),
            200,
            "every reader gets the video"
        );
    }
    assert_eq!(
        gate.loads.load(Ordering::SeqCst),
        1,
        "twelve concurrent cold reads must share a single database load"
    );
}

#[tokio::test]
async fn a_list_page_costs_one_statement_whatever_its_size_and_none_when_warm() {
    let (app, store) = counted(catalog::settings()).await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    for n in 0..30 {
        app.publish_video(&creator, &admin, &format!("Film {n:02}"), "drama")
            .await;
    }
    settle(&app, &store).await;
    let mut costs = Vec::new();
    for limit in [5, 30] {
        store.reset();
        let page: ListBody = app
            .get(None, &format!("/videos?limit={limit}"))
            .await
            .json()
            .await
            .expect("list");
        assert_eq!(page.items.len(), limit, "the page holds {limit} videos");
        costs.push(store.request_statements().len());
    }
    assert_eq!(
        costs,
        [1, 1],
        "a page of 5 and a page of 30 must each be one statement (no N+1)"
    );
    store.reset();
    app.get(None, "/videos?limit=30").await;
    assert!(
        store.request_statements().is_empty(),
        "a warm page must run no statement"
    );
}

#[tokio::test]
async fn refused_and_successful_searches_cost_zero_and_one_statement() {
    let (app, store) = counted(catalog::settings()).await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    for n in 0..5 {
        app.publish_video(&creator, &admin, &format!("Jazz {n}"), "music")
            .await;
    }
    settle(&app, &store).await;
    let long = "a".repeat(101);
    let refused = app
        .http
        .get(app.url_with("/search", &[("q", long.as_str())]))
        .send()
        .await;
    assert_eq!(
        refused.expect("answers").status(),
        400,
        "overlong search text is refused"
    );
    assert!(
        store.request_statements().is_empty(),
        "a refused search must not reach the database"
    );
    let found = app.get(None, "/search?q=jazz").await;
    assert_eq!(found.status(), 200, "the search succeeds");
    assert_eq!(
        store.request_statements().len(),
        1,
        "a search is a single statement"
    );
}

/// Rows read by one `unpublish`/`publish` toggle on a video at version 12.
async fn rows_read_by_a_command(snapshot_every: u64) -> u64 {
    let mut settings = catalog::settings();
    settings.snapshot_every = snapshot_every;
    let (app, store) = counted(settings).await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let video = app
        .publish_video(&creator, &admin, "Long Lived", "drama")
        .await;
    for action in ["unpublish", "publish"].iter().cycle().take(8) {
        app.act_ok(&admin, &video.id, action).await;
    }
    settle(&app, &store).await;
    app.act_ok(&admin, &video.id, "unpublish").await;
    store.counts().rows_returned
}

#[tokio::test]
async fn snapshots_bound_the_events_a_command_replays() {
    let without = rows_read_by_a_command(0).await;
    let with = rows_read_by_a_command(5).await;
    assert!(
        without >= 12,
        "without snapshots a command on version 12 replays all 12 events, read {without} rows"
    );
    assert!(
        with + 8 <= without,
        "a snapshot at version 10 must spare the replay of 10 events: {with} rows with, {without} without"
    );
}

#[tokio::test]
async fn a_command_is_one_transaction_with_a_bounded_number_of_statements() {
    let (app, store) = counted(catalog::settings()).await;
    let creator = app.token("creator-1", Role::Creator);
    let video = app.create_video(&creator, "Night Train", "drama").await;
    settle(&app, &store).await;
    let response = app
        .patch(
            &creator,
            &video.id,
            Some("\"1\""),
            &json!({ "title": "Day Train" }),
        )
        .await;
    assert_eq!(response.status(), 200, "the update succeeds");
    let counts = store.counts();
    assert_eq!(
        counts.transactions, 1,
        "events, read model and outbox share one transaction"
    );
    let statements = store.request_statements();
    assert!(
        statements.len() <= 6,
        "an update must stay a handful of statements (load, append, row, outbox), got {statements:#?}"
    );
}

#[tokio::test]
async fn videos_cached_together_expire_at_different_times() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let mut ttls = BTreeSet::new();
    for n in 0..8 {
        let video = app
            .publish_video(&creator, &admin, &format!("Release {n}"), "drama")
            .await;
        app.get(None, &format!("/videos/{}", video.id)).await;
        let key = video_cache_key(&VideoId::parse(&video.id).expect("id"));
        let ttl = app
            .infra
            .cache
            .ttl(&key)
            .await
            .expect("cache")
            .expect("cached with a ttl");
        ttls.insert(ttl.as_millis());
    }
    let settings = catalog::settings().cache;
    let base = settings.video_ttl.as_millis() + settings.stale_while_revalidate.as_millis();
    assert!(
        ttls.len() >= 6,
        "eight videos cached at the same instant must get spread expiries, got {ttls:?}"
    );
    let spread = settings.video_ttl.as_millis() / 5;
    assert!(
        ttls.iter().all(|ttl| ttl.abs_diff(base) <= spread),
        "every expiry stays within ±20% of the nominal TTL ({base} ms): {ttls:?}"
    );
}
