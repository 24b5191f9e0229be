//! The catalog's write side with its backends: the lifecycle over HTTP, the event
//! stream and read model written together, published events, optimistic
//! concurrency, readiness and shutdown.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use async_trait::async_trait;
use mediaflow_catalog::routes::VideoBody;
use mediaflow_shared::auth::Role;
use mediaflow_shared::event_store::{EventStore, SqlEventStore};
use mediaflow_shared::store::{Dialect, Row, SqlStore, SqlTransaction, SqlValue, StoreError};
use mediaflow_tests::support::catalog::{self, CatalogApp, WAIT, eventually};
use mediaflow_tests::support::databases::wrap_store;
use mediaflow_tests::support::events::EventProbe;
use mediaflow_tests::support::fixtures::infra;
use serde_json::json;
use tokio::sync::Barrier;

fn event_store(app: &CatalogApp) -> SqlEventStore {
    SqlEventStore::new(app.infra.database("catalog"), app.infra.clock.clone())
}

#[tokio::test]
async fn creating_a_video_stores_a_draft_at_version_one() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let response = app
        .create(&creator, &catalog::video_body("Night Train", "drama"))
        .await;
    assert_eq!(
        response.status(),
        201,
        "a creator's valid video must be created"
    );
    assert_eq!(
        response.headers()["etag"],
        "\"1\"",
        "a new video's ETag is its first version"
    );
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let video: VideoBody = response.json().await.expect("a video body");
    assert_eq!(
        location,
        format!("/videos/{}", video.id),
        "Location must point at the video"
    );
    assert_eq!(video.status, "draft", "a new video starts as a draft");
    assert_eq!(video.version, 1, "a new video is at version 1");
    assert_eq!(video.owner_id, "creator-1", "the creator owns the video");
    assert_eq!(video.published_at, None, "a draft is not published");

    let fetched: VideoBody = app
        .get(Some(&creator), &location)
        .await
        .json()
        .await
        .expect("the owner can read the draft");
    assert_eq!(
        fetched, video,
        "reading the video back must return what was created"
    );
}

#[tokio::test]
async fn the_lifecycle_moves_a_video_to_published_back_to_ready_and_to_archived() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let video = app.create_video(&creator, "Night Train", "drama").await;
    let steps = [
        (&creator, "submit", "processing"),
        (&admin, "processing-complete", "ready"),
        (&admin, "publish", "published"),
        (&admin, "unpublish", "ready"),
        (&admin, "publish", "published"),
        (&creator, "archive", "archived"),
    ];
    for (n, (token, action, status)) in steps.into_iter().enumerate() {
        let response = app.act(token, &video.id, action, None).await;
        assert_eq!(
            response.status(),
            200,
            "`{action}` must be allowed at this point"
        );
        let expected_version = u64::try_from(n).expect("small") + 2;
        assert_eq!(
            response.headers()["etag"],
            format!("\"{expected_version}\"").as_str(),
            "each transition bumps the version"
        );
        let body: VideoBody = response.json().await.expect("a video body");
        assert_eq!(body.status, status, "`{action}` must lead to {status}");
    }
}

#[tokio::test]
async fn an_invalid_transition_answers_409_naming_both_states() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let video = app.create_video(&creator, "Night Train", "drama").await;
    let response = app.act(&admin, &video.id, "publish", None).await;
    assert_eq!(response.status(), 409, "a draft cannot be published");
    let body: serde_json::Value = response.json().await.expect("json error");
    let message = body["error"]["message"].as_str().expect("a message");
    assert!(
        message.contains("draft") && message.contains("published"),
        "the 409 must name the current and the target state, got: {message}"
    );
    let unchanged: VideoBody = app
        .get(Some(&creator), &format!("/videos/{}", video.id))
        .await
        .json()
        .await
        .expect("a video body");
    assert_eq!(
        unchanged.version, 1,
        "a refused transition must record nothing"
    );
}

#[tokio::test]
async fn every_change_is_in_the_video_stream_and_the_read_model_matches_it() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let video = app
        .publish_video(&creator, &admin, "Night Train", "drama")
        .await;
    let stream = event_store(&app)
        .read(&format!("video-{}", video.id), 1)
        .await
        .expect("the stream is readable");
    let types: Vec<&str> = stream.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        [
            "VideoCreated",
            "VideoSubmitted",
            "VideoProcessed",
            "VideoPublished"
        ],
        "the stream must hold every change in order"
    );
    assert_eq!(video.version, 4, "the read model's version is the stream's");
    assert_eq!(
        video.published_at,
        Some(stream[3].occurred_at),
        "published_at is the time of the publish event"
    );
}

#[tokio::test]
async fn every_change_is_published_with_its_stream_sequence_and_request_id() {
    let app = CatalogApp::spawn().await;
    let mut events = EventProbe::bind(
        app.infra.bus.as_ref(),
        "test.catalog-events",
        "catalog.video.#",
    )
    .await
    .waiting(WAIT);
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let response = app
        .http
        .post(app.url("/videos"))
        .bearer_auth(&creator)
        .header("x-request-id", "req-create-1")
        .json(&catalog::video_body("Night Train", "drama"))
        .send()
        .await
        .expect("answers");
    let video: VideoBody = response.json().await.expect("a video body");
    app.act_ok(&creator, &video.id, "submit").await;
    app.act_ok(&admin, &video.id, "processing-complete").await;
    app.act_ok(&admin, &video.id, "publish").await;

    let mut seen = Vec::new();
    while seen.len() < 4 {
        let (key, envelope) = events.next().await.expect("four events are published");
        seen.push((key, envelope));
    }
    let keys: Vec<&str> = seen.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "catalog.video.created",
            "catalog.video.submitted",
            "catalog.video.processed",
            "catalog.video.published"
        ],
        "events must leave in commit order with their routing keys"
    );
    let sequences: Vec<u64> = seen.iter().map(|(_, e)| e.sequence).collect();
    assert_eq!(
        sequences,
        [1, 2, 3, 4],
        "sequences are the stream versions, without gaps"
    );
    assert!(
        seen.iter().all(|(_, e)| e.aggregate_id == video.id),
        "the aggregate id on the bus is the video id"
    );
    assert_eq!(
        seen[0].1.correlation_id, "req-create-1",
        "the correlation id is the request id of the request that caused the event"
    );
}

#[tokio::test]
async fn patch_requires_if_match_and_refuses_a_stale_version() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let video = app.create_video(&creator, "Night Train", "drama").await;
    let change = json!({ "title": "Night Train (director's cut)" });

    let missing = app.patch(&creator, &video.id, None, &change).await;
    assert_eq!(
        missing.status(),
        428,
        "a PATCH without If-Match must answer 428"
    );
    let ok = app.patch(&creator, &video.id, Some("\"1\""), &change).await;
    assert_eq!(
        ok.status(),
        200,
        "a PATCH naming the current version succeeds"
    );
    assert_eq!(
        ok.headers()["etag"],
        "\"2\"",
        "the update moves the video to version 2"
    );
    let updated: VideoBody = ok.json().await.expect("a video body");
    assert_eq!(
        updated.title, "Night Train (director's cut)",
        "the new title is served"
    );

    let stale = app
        .patch(
            &creator,
            &video.id,
            Some("\"1\""),
            &json!({ "genre": "thriller" }),
        )
        .await;
    assert_eq!(
        stale.status(),
        412,
        "a PATCH based on version 1 after version 2 must answer 412"
    );
    let current: VideoBody = app
        .get(Some(&creator), &format!("/videos/{}", video.id))
        .await
        .json()
        .await
        .expect("a video body");
    assert_eq!(
        current.genre, "drama",
        "the stale update must not be applied"
    );
}

#[tokio::test]
async fn stopping_the_service_deregisters_it_and_stops_its_view_consumer() {
    let mut app = CatalogApp::spawn().await;
    let ready = app.get(None, "/ready").await;
    assert_eq!(ready.status(), 200, "a started catalog is ready");
    let stats = app
        .infra
        .bus
        .queue_stats("catalog.view-counts")
        .await
        .expect("queue exists");
    assert_eq!(
        stats.consumers, 1,
        "the view counter consumes while the service runs"
    );
    app.stop().await;
    let instances = app
        .infra
        .registry
        .healthy_instances("catalog")
        .await
        .expect("registry");
    assert!(instances.is_empty(), "a stopped catalog must deregister");
    let stopped = eventually(|| async {
        app.infra
            .bus
            .queue_stats("catalog.view-counts")
            .await
            .is_ok_and(|stats| stats.consumers == 0)
    })
    .await;
    assert!(stopped, "the view consumer must stop with the service");
}

/// A store that, once armed, holds the results of the first two stream loads
/// until both have read, so two commands are certain to decide on the same version.
struct PairedLoads {
    inner: Arc<dyn SqlStore>,
    armed: AtomicBool,
    arrived: AtomicUsize,
    both: Barrier,
}

impl fmt::Debug for PairedLoads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PairedLoads").finish_non_exhaustive()
    }
}

#[async_trait]
impl SqlStore for PairedLoads {
    fn dialect(&self) -> Dialect {
        self.inner.dialect()
    }
    async fn execute(&self, sql: &str, params: &[SqlValue]) -> Result<u64, StoreError> {
        self.inner.execute(sql, params).await
    }
    async fn query(&self, sql: &str, params: &[SqlValue]) -> Result<Vec<Row>, StoreError> {
        let loading = sql.contains("FROM event_store_events") && sql.contains("event_type");
        let rows = self.inner.query(sql, params).await;
        if loading
            && self.armed.load(Ordering::SeqCst)
            && self.arrived.fetch_add(1, Ordering::SeqCst) < 2
        {
            self.both.wait().await;
        }
        rows
    }
    async fn execute_batch(&self, sql: &str) -> Result<(), StoreError> {
        self.inner.execute_batch(sql).await
    }
    async fn begin(&self) -> Result<Box<dyn SqlTransaction>, StoreError> {
        self.inner.begin().await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_concurrent_updates_from_the_same_version_let_exactly_one_win() {
    let (clock, infra) = infra();
    let (infra, gate) = wrap_store(&infra, mediaflow_catalog::SERVICE, |inner| PairedLoads {
        inner,
        armed: AtomicBool::new(false),
        arrived: AtomicUsize::new(0),
        both: Barrier::new(2),
    });
    let app = Arc::new(CatalogApp::spawn_on(infra, clock, catalog::settings()).await);
    let creator = app.token("creator-1", Role::Creator);
    let video = app.create_video(&creator, "Night Train", "drama").await;
    gate.armed.store(true, Ordering::SeqCst);

    let changes = [
        json!({ "title": "Night Train (director's cut)" }),
        json!({ "genre": "thriller" }),
    ];
    let mut editors = tokio::task::JoinSet::new();
    for change in changes {
        let app = Arc::clone(&app);
        let (creator, id) = (creator.clone(), video.id.clone());
        editors.spawn(async move {
            app.patch(&creator, &id, Some("\"1\""), &change)
                .await
                .status()
                .as_u16()
        });
    }
    let mut statuses = Vec::new();
    while let Some(status) = editors.join_next().await {
        statuses.push(status.expect("the editor finished"));
    }
    statuses.sort_unstable();
    assert!(
        statuses[0] == 200 && (statuses[1] == 409 || statuses[1] == 412),
        "of two updates made from version 1 at the same time exactly one must win and the \
         other be refused as a conflict (409/412), got {statuses:?}"
    );
    let events = event_store(&app)
        .read(&format!("video-{}", video.id), 1)
        .await
        .expect("the stream reads");
    assert_eq!(
        events.len(),
        2,
        "the stream holds the creation and the single winning update"
    );
}
