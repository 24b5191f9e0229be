//! The catalog under injected faults: failing commits leave no trace anywhere,
//! a bus outage delays events without losing or reordering them, duplicated view
//! events count once, a stepped-back clock does not reorder a stream, a cache
//! outage falls back to the database, and partitions or a stopped catalog are
//! reported to callers.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use mediaflow_catalog::routes::VideoBody;
use mediaflow_shared::auth::Role;
use mediaflow_shared::chaos::{BusFault, ChaosBus, ChaosStore, SkewedClock};
use mediaflow_shared::clock::{Clock, SharedClock};
use mediaflow_shared::event_store::{EventStore, SqlEventStore};
use mediaflow_shared::events::platform::EVENTS_EXCHANGE;
use mediaflow_shared::events::{EventBus, EventEnvelope, EventId};
use mediaflow_shared::http::{UpstreamClient, UpstreamError, UpstreamPolicy, UpstreamRequest};
use mediaflow_shared::store::SqlStore;
use mediaflow_tests::support::catalog::{self, CatalogApp, WAIT, eventually};
use mediaflow_tests::support::databases::wrap_store;
use mediaflow_tests::support::doubles::DownCache;
use mediaflow_tests::support::events::EventProbe;
use mediaflow_tests::support::fixtures::infra;
use serde_json::json;

async fn count(store: &dyn SqlStore, table: &str) -> i64 {
    let sql = match table {
        "videos" => "SELECT COUNT(*) AS n FROM videos",
        "event_store_events" => "SELECT COUNT(*) AS n FROM event_store_events",
        _ => "SELECT COUNT(*) AS n FROM outbox",
    };
    let rows = store.query(sql, &[]).await.expect("count query");
    rows[0].get("n").expect("a count")
}

#[tokio::test]
async fn a_failed_commit_leaves_no_event_no_row_and_no_outbox_row() {
    let (clock, infra) = infra();
    let (infra, chaos) = wrap_store(&infra, mediaflow_catalog::SERVICE, ChaosStore::new);
    let app = CatalogApp::spawn_on(infra, clock, catalog::settings()).await;
    let creator = app.token("creator-1", Role::Creator);
    chaos.fail_next_commits(1);

    let response = app
        .create(&creator, &catalog::video_body("Night Train", "drama"))
        .await;
    assert_eq!(
        response.status(),
        503,
        "a failed commit must answer 503, not pretend success"
    );
    assert!(
        response.headers().contains_key("retry-after"),
        "a 503 tells the client when to retry"
    );
    let body = response.text().await.expect("body");
    assert!(
        !body.contains("injected") && !body.contains("INSERT"),
        "the error must not leak store internals, got: {body}"
    );
    let db = app.infra.database("catalog");
    assert_eq!(
        count(db.as_ref(), "event_store_events").await,
        0,
        "no event may survive the rollback"
    );
    assert_eq!(
        count(db.as_ref(), "videos").await,
        0,
        "no read-model row may survive the rollback"
    );
    assert_eq!(
        count(db.as_ref(), "outbox").await,
        0,
        "no outbox row may survive the rollback"
    );

    let retried = app
        .create(&creator, &catalog::video_body("Night Train", "drama"))
        .await;
    assert_eq!(
        retried.status(),
        201,
        "once the database recovers, the same request succeeds"
    );
}

#[tokio::test]
async fn a_failed_publish_commit_leaves_the_video_ready_in_stream_read_model_and_cache() {
    let (clock, infra) = infra();
    let (infra, chaos) = wrap_store(&infra, mediaflow_catalog::SERVICE, ChaosStore::new);
    let app = CatalogApp::spawn_on(infra, clock, catalog::settings()).await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let video = app.create_video(&creator, "Night Train", "drama").await;
    app.act_ok(&creator, &video.id, "submit").await;
    app.act_ok(&admin, &video.id, "processing-complete").await;
    let path = format!("/videos/{}", video.id);
    app.get(Some(&admin), &path).await;

    chaos.fail_next_commits(1);
    let failed = app.act(&admin, &video.id, "publish", None).await;
    assert_eq!(
        failed.status(),
        503,
        "the publish whose commit failed must report failure"
    );

    let seen: VideoBody = app
        .get(Some(&admin), &path)
        .await
        .json()
        .await
        .expect("video");
    assert_eq!(
        (seen.status.as_str(), seen.version),
        ("ready", 3),
        "the video stays ready at v3"
    );
    let stream = SqlEventStore::new(app.infra.database("catalog"), app.infra.clock.clone());
    assert_eq!(
        stream
            .stream_version(&format!("video-{}", video.id))
            .await
            .expect("version"),
        3,
        "the stream must not hold the failed publish"
    );
    assert_eq!(
        app.get(None, &path).await.status(),
        404,
        "the public still cannot see it"
    );
    let published = app.act(&admin, &video.id, "publish", None).await;
    assert_eq!(published.status(), 200, "retrying the publish succeeds");
}

#[tokio::test]
async fn events_survive_a_bus_outage_and_leave_in_order_once_it_recovers() {
    let (clock, infra) = infra();
    let chaos = Arc::new(ChaosBus::new(infra.bus.clone(), 5));
    let infra = infra.with_bus(chaos.clone());
    let mut settings = catalog::settings();
    settings.outbox_tick = Duration::from_millis(10);
    let app = CatalogApp::spawn_on(infra, clock, settings).await;
    let mut events = EventProbe::bind(
        app.infra.bus.as_ref(),
        "test.catalog-outage",
        "catalog.video.#",
    )
    .await
    .waiting(WAIT);
    let creator = app.token("creator-1", Role::Creator);
    chaos.inject(BusFault::FailNext(3));

    let video = app.create_video(&creator, "Night Train", "drama").await;
    app.act_ok(&creator, &video.id, "submit").await;
    let mut keys = Vec::new();
    while keys.len() < 2 {
        let (key, envelope) = events.next().await.expect("events arrive after the outage");
        assert_eq!(
            envelope.aggregate_id, video.id,
            "events belong to the video"
        );
        keys.push(key);
    }
    assert_eq!(
        keys,
        ["catalog.video.created", "catalog.video.submitted"],
        "a failed publish must be retried before later events leave"
    );
    assert_eq!(
        chaos.stats().failed,
        3,
        "the outage really refused three publishes"
    );
    let pending = app
        .infra
        .database("catalog")
        .query(
            "SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL",
            &[],
        )
        .await
        .expect("count");
    assert_eq!(
        pending[0].get::<i64>("n").expect("n"),
        0,
        "nothing is left in the outbox"
    );
}

#[tokio::test]
async fn a_duplicated_view_event_is_counted_once() {
    let (clock, infra) = infra();
    let chaos = Arc::new(ChaosBus::new(infra.bus.clone(), 9));
    let infra = infra.with_bus(chaos.clone());
    let app = CatalogApp::spawn_on(infra, clock, catalog::settings()).await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let video = app
        .publish_video(&creator, &admin, "Night Train", "drama")
        .await;
    assert!(
        app.outbox_drained().await,
        "the lifecycle events must be published before the fault is armed"
    );

    chaos.inject(BusFault::DuplicateNext(1));
    let view = EventEnvelope {
        id: EventId(app.infra.ids.uuid()),
        event_type: "ViewRecorded".into(),
        aggregate_id: "view-1".into(),
        sequence: 1,
        occurred_at: app.clock.now(),
        schema_version: 1,
        correlation_id: "req-view".into(),
        causation_id: None,
        payload: json!({ "video_id": video.id }),
    };
    chaos
        .publish(
            EVENTS_EXCHANGE,
            "analytics.view.recorded",
            view.to_message(),
        )
        .await
        .expect("published");
    assert_eq!(
        chaos.stats().duplicated,
        1,
        "the bus delivered the view twice"
    );
    let path = format!("/videos/{}", video.id);
    let counted = eventually(|| async {
        let queue = app
            .infra
            .bus
            .queue_stats("catalog.view-counts")
            .await
            .expect("queue");
        queue.ready == 0 && queue.unacked == 0
    })
    .await;
    assert!(counted, "both deliveries must be consumed");
    let seen: VideoBody = app.get(None, &path).await.json().await.expect("video");
    assert_eq!(
        seen.views, 1,
        "one view event delivered twice must count one view"
    );
}

#[tokio::test]
async fn a_clock_stepped_back_does_not_reorder_a_video_stream() {
    let (manual, infra) = infra();
    let skewed = Arc::new(SkewedClock::new(infra.clock.clone(), TimeDelta::zero()));
    let infra = infra.with_clock(skewed.clone() as SharedClock);
    let app = CatalogApp::spawn_on(infra, manual, catalog::settings()).await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let video = app
        .publish_video(&creator, &admin, "Night Train", "drama")
        .await;
    let first_publication = video.published_at.expect("published");
    app.act_ok(&admin, &video.id, "unpublish").await;

    skewed.set_offset(-TimeDelta::seconds(20));
    let again = app.act_ok(&admin, &video.id, "publish").await;
    assert_eq!(
        again.version, 6,
        "versions keep increasing whatever the clock says"
    );
    assert!(
        again.published_at.expect("published") < first_publication,
        "published_at follows the (stepped-back) clock"
    );
    let stream = SqlEventStore::new(app.infra.database("catalog"), app.infra.clock.clone())
        .read(&format!("video-{}", video.id), 1)
        .await
        .expect("stream");
    let types: Vec<&str> = stream.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types[3..],
        ["VideoPublished", "VideoUnpublished", "VideoPublished"],
        "the stream keeps commit order even when timestamps go backwards"
    );
    assert_eq!(
        again.status, "published",
        "folding by version yields the latest state"
    );
}

#[tokio::test]
async fn a_cache_outage_falls_back_to_the_database_and_stays_correct() {
    let (clock, infra) = infra();
    let infra = infra.with_cache(Arc::new(DownCache));
    let app = CatalogApp::spawn_on(infra, clock, catalog::settings()).await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let video = app
        .publish_video(&creator, &admin, "Night Train", "drama")
        .await;
    let path = format!("/videos/{}", video.id);
    let first = app.get(None, &path).await;
    assert_eq!(
        first.status(),
        200,
        "reads must not fail because the cache is down"
    );
    let etag = format!("\"{}\"", video.version);
    app.patch(
        &creator,
        &video.id,
        Some(&etag),
        &json!({ "title": "Day Train" }),
    )
    .await;
    let after: VideoBody = app.get(None, &path).await.json().await.expect("video");
    assert_eq!(
        after.title, "Day Train",
        "without a cache every read sees the latest write"
    );
    let list = app.get(None, "/videos").await;
    assert_eq!(
        list.status(),
        200,
        "lists must not fail because the cache is down"
    );
}

#[tokio::test]
async fn a_partition_cuts_one_caller_off_the_catalog_and_healing_restores_it() {
    let app = CatalogApp::spawn().await;
    let policy = UpstreamPolicy::default();
    let gateway = UpstreamClient::new(
        "gateway",
        "catalog",
        &app.infra,
        policy,
        reqwest::Client::new(),
    );
    let recommender = UpstreamClient::new(
        "recommendations",
        "catalog",
        &app.infra,
        policy,
        reqwest::Client::new(),
    );
    app.infra.network.partition("gateway", "catalog");
    let cut = gateway.send(UpstreamRequest::get("/videos")).await;
    assert!(
        matches!(cut, Err(UpstreamError::Partitioned(_))),
        "a partitioned caller must get a partition error, got {cut:?}"
    );
    let other = recommender
        .send(UpstreamRequest::get("/videos"))
        .await
        .expect("reachable");
    assert_eq!(
        other.status, 200,
        "callers outside the partition still reach the catalog"
    );
    app.infra.network.heal("gateway", "catalog");
    let healed = gateway
        .send(UpstreamRequest::get("/videos"))
        .await
        .expect("healed");
    assert_eq!(
        healed.status, 200,
        "after healing the gateway reaches the catalog again"
    );
}

#[tokio::test]
async fn a_stopped_catalog_is_reported_as_having_no_instance() {
    let mut app = CatalogApp::spawn().await;
    let client = UpstreamClient::new(
        "gateway",
        "catalog",
        &app.infra,
        UpstreamPolicy::default(),
        reqwest::Client::new(),
    );
    let before = client
        .send(UpstreamRequest::get("/videos"))
        .await
        .expect("running");
    assert_eq!(before.status, 200, "the running catalog answers");
    app.stop().await;
    let after = client.send(UpstreamRequest::get("/videos")).await;
    assert!(
        matches!(after, Err(UpstreamError::NoInstance(ref service)) if service == "catalog"),
        "callers of a stopped catalog must learn no instance is left, got {after:?}"
    );
}
