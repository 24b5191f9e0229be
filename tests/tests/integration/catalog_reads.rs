//! The catalog's read side with its backends: cursor pagination, sorting and
//! filters, search, cache invalidation on change, view counting from analytics
//! events, and snapshots.

use mediaflow_catalog::routes::{ListBody, SearchBody, VideoBody};
use mediaflow_catalog::service::video_cache_key;
use mediaflow_shared::auth::Role;
use mediaflow_shared::event_store::{EventStore, SqlEventStore};
use mediaflow_shared::events::platform::EVENTS_EXCHANGE;
use mediaflow_shared::events::{EventEnvelope, EventId};
use mediaflow_tests::support::catalog::{self, CatalogApp, eventually};
use mediaflow_tests::support::fixtures::infra;
use serde_json::json;

fn event_store(app: &CatalogApp) -> SqlEventStore {
    SqlEventStore::new(app.infra.database("catalog"), app.infra.clock.clone())
}

async fn list(app: &CatalogApp, token: Option<&str>, query: &str) -> ListBody {
    let response = app.get(token, &format!("/videos{query}")).await;
    assert_eq!(response.status(), 200, "GET /videos{query} must succeed");
    response.json().await.expect("a list body")
}

fn titles(page: &ListBody) -> Vec<&str> {
    page.items.iter().map(|v| v.title.as_str()).collect()
}

/// Publishes a `ViewRecorded` envelope as analytics would.
async fn record_view(app: &CatalogApp, event_id: EventId, video_id: &str) {
    let envelope = EventEnvelope {
        id: event_id,
        event_type: "ViewRecorded".into(),
        aggregate_id: format!("view-{event_id}"),
        sequence: 1,
        occurred_at: mediaflow_shared::clock::Clock::now(app.clock.as_ref()),
        schema_version: 1,
        correlation_id: "req-view".into(),
        causation_id: None,
        payload: json!({ "video_id": video_id, "user_id": "viewer-1", "watched_secs": 30 }),
    };
    app.infra
        .bus
        .publish(
            EVENTS_EXCHANGE,
            "analytics.view.recorded",
            envelope.to_message(),
        )
        .await
        .expect("the bus accepts the view event");
}

async fn views_of(app: &CatalogApp, token: &str, id: &str) -> u64 {
    let video: VideoBody = app
        .get(Some(token), &format!("/videos/{id}"))
        .await
        .json()
        .await
        .expect("a video body");
    video.views
}

#[tokio::test]
async fn list_pages_follow_the_cursor_without_gaps_or_repeats() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let mut expected = Vec::new();
    for n in 0..7 {
        let video = app
            .publish_video(&creator, &admin, &format!("Film {n}"), "drama")
            .await;
        expected.push(video.id);
        app.clock.advance(std::time::Duration::from_secs(60));
    }
    expected.reverse();
    let mut seen = Vec::new();
    let mut query = "?limit=3".to_owned();
    let mut pages = 0;
    loop {
        let page = list(&app, None, &query).await;
        pages += 1;
        seen.extend(page.items.iter().map(|v| v.id.clone()));
        match page.next_cursor {
            Some(cursor) => query = format!("?limit=3&cursor={cursor}"),
            None => break,
        }
        assert!(pages < 10, "pagination must terminate");
    }
    assert_eq!(pages, 3, "7 videos at 3 per page make 3 pages");
    assert_eq!(
        seen, expected,
        "pages must list every video once, newest first"
    );
}

#[tokio::test]
async fn lists_sort_by_title_case_insensitively_and_filter_by_genre() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    for (title, genre) in [
        ("banana", "comedy"),
        ("Apple", "drama"),
        ("cherry", "drama"),
    ] {
        app.publish_video(&creator, &admin, title, genre).await;
    }
    let by_title = list(&app, None, "?sort=title&order=asc").await;
    assert_eq!(
        titles(&by_title),
        ["Apple", "banana", "cherry"],
        "titles sort ignoring case"
    );
    let desc = list(&app, None, "?sort=title&order=desc").await;
    assert_eq!(
        titles(&desc),
        ["cherry", "banana", "Apple"],
        "descending reverses the order"
    );
    let dramas = list(&app, None, "?genre=drama&sort=title&order=asc").await;
    assert_eq!(
        titles(&dramas),
        ["Apple", "cherry"],
        "the genre filter keeps dramas only"
    );
}

#[tokio::test]
async fn admins_list_unpublished_videos_by_status_and_others_see_published_only() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    app.create_video(&creator, "Draft One", "drama").await;
    app.publish_video(&creator, &admin, "Public One", "drama")
        .await;

    let public = list(&app, None, "").await;
    assert_eq!(
        titles(&public),
        ["Public One"],
        "anonymous callers see published videos only"
    );
    let owner_view = list(&app, Some(&creator), "").await;
    assert_eq!(
        titles(&owner_view),
        ["Public One"],
        "the public listing hides drafts from creators too"
    );
    let drafts = list(&app, Some(&admin), "?status=draft").await;
    assert_eq!(titles(&drafts), ["Draft One"], "admins can list drafts");
    let everything = list(&app, Some(&admin), "?sort=title&order=asc").await;
    assert_eq!(
        titles(&everything).len(),
        2,
        "admins see every status without a filter"
    );
    let refused = app.get(Some(&creator), "/videos?status=draft").await;
    assert_eq!(refused.status(), 403, "a creator may not list drafts");
}

#[tokio::test]
async fn search_finds_published_videos_by_title_description_or_tag() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let title_hit = app
        .publish_video(&creator, &admin, "Jazz Night", "music")
        .await;
    let body = json!({
        "title": "Harbour Lights", "description": "Late JAZZ sessions by the sea",
        "genre": "music", "tags": [], "duration_secs": 900
    });
    let described: VideoBody = app
        .create(&creator, &body)
        .await
        .json()
        .await
        .expect("video");
    app.act_ok(&creator, &described.id, "submit").await;
    app.act_ok(&admin, &described.id, "processing-complete")
        .await;
    app.act_ok(&admin, &described.id, "publish").await;
    app.create_video(&creator, "Jazz Draft", "music").await;

    let found: SearchBody = app
        .get(None, "/search?q=jazz")
        .await
        .json()
        .await
        .expect("search body");
    let ids: Vec<&str> = found.items.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(
        ids,
        [title_hit.id.as_str(), described.id.as_str()],
        "title matches come first, description matches after, drafts never"
    );
    let by_tag: SearchBody = app
        .get(None, "/search?q=demo&genre=music")
        .await
        .json()
        .await
        .expect("body");
    assert_eq!(
        by_tag.items.len(),
        1,
        "the `demo` tag of the helper-made video must match"
    );
    let other_genre: SearchBody = app
        .get(None, "/search?q=jazz&genre=news")
        .await
        .json()
        .await
        .expect("body");
    assert!(
        other_genre.items.is_empty(),
        "the genre filter applies to search"
    );
}

#[tokio::test]
async fn reads_after_a_change_see_the_new_version_not_the_cached_one() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let video = app
        .publish_video(&creator, &admin, "Night Train", "drama")
        .await;
    let path = format!("/videos/{}", video.id);
    let before: VideoBody = app.get(None, &path).await.json().await.expect("video");
    let listed = list(&app, None, "").await;
    assert_eq!(
        listed.items[0].title, "Night Train",
        "the list is cached with the old title"
    );

    let etag = format!("\"{}\"", before.version);
    let patched = app
        .patch(
            &creator,
            &video.id,
            Some(&etag),
            &json!({ "title": "Day Train" }),
        )
        .await;
    assert_eq!(patched.status(), 200, "the owner may retitle");
    let after: VideoBody = app.get(None, &path).await.json().await.expect("video");
    assert_eq!(
        after.title, "Day Train",
        "the cached video must be invalidated by the change"
    );
    let relisted = list(&app, None, "").await;
    assert_eq!(
        relisted.items[0].title, "Day Train",
        "cached list pages must be invalidated too"
    );

    app.act_ok(&admin, &video.id, "unpublish").await;
    assert_eq!(
        app.get(None, &path).await.status(),
        404,
        "an unpublished video leaves public view"
    );
    assert!(
        list(&app, None, "").await.items.is_empty(),
        "and leaves the public list"
    );
}

#[tokio::test]
async fn view_events_count_once_per_event_id_and_order_the_views_sort() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let quiet = app.publish_video(&creator, &admin, "Quiet", "drama").await;
    let popular = app
        .publish_video(&creator, &admin, "Popular", "drama")
        .await;
    let first = EventId(app.infra.ids.uuid());
    record_view(&app, first, &popular.id).await;
    record_view(&app, first, &popular.id).await;
    record_view(&app, EventId(app.infra.ids.uuid()), &popular.id).await;
    record_view(&app, EventId(app.infra.ids.uuid()), &quiet.id).await;
    let counted = eventually(|| async {
        views_of(&app, &admin, &popular.id).await == 2
            && views_of(&app, &admin, &quiet.id).await == 1
    })
    .await;
    assert!(
        counted,
        "a redelivered view event must not count twice: popular {} (want 2), quiet {} (want 1)",
        views_of(&app, &admin, &popular.id).await,
        views_of(&app, &admin, &quiet.id).await
    );
    let by_views = list(&app, None, "?sort=views&order=desc").await;
    assert_eq!(
        titles(&by_views),
        ["Popular", "Quiet"],
        "the most watched video comes first"
    );
}

#[tokio::test]
async fn snapshots_shorten_loading_and_later_events_still_fold_in() {
    let (clock, infra) = infra();
    let mut settings = catalog::settings();
    settings.snapshot_every = 2;
    let app = CatalogApp::spawn_on(infra, clock, settings).await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let video = app
        .publish_video(&creator, &admin, "Night Train", "drama")
        .await;
    let stream = format!("video-{}", video.id);
    let snapshot = event_store(&app)
        .load_snapshot(&stream)
        .await
        .expect("readable")
        .expect("a snapshot is taken every 2 versions");
    assert_eq!(snapshot.version, 4, "the latest snapshot is at version 4");

    let after = app.act_ok(&admin, &video.id, "unpublish").await;
    assert_eq!(
        after.status, "ready",
        "a command on a snapshotted video folds the later events"
    );
    assert_eq!(after.version, 5, "the version continues after the snapshot");
}

#[tokio::test]
async fn the_video_cache_entry_appears_on_read_and_disappears_on_change() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let video = app.create_video(&creator, "Night Train", "drama").await;
    let id = mediaflow_catalog::domain::VideoId::parse(&video.id).expect("id");
    let key = video_cache_key(&id);
    assert_eq!(
        app.infra.cache.get(&key).await.expect("cache"),
        None,
        "creation caches nothing"
    );
    app.get(Some(&creator), &format!("/videos/{}", video.id))
        .await;
    assert!(
        app.infra.cache.get(&key).await.expect("cache").is_some(),
        "a read fills the cache"
    );
    app.act_ok(&creator, &video.id, "submit").await;
    assert_eq!(
        app.infra.cache.get(&key).await.expect("cache"),
        None,
        "a change must drop the cached video"
    );
}
