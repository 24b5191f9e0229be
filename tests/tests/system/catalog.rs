//! End-to-end catalog flows over HTTP with the service's real backends: a
//! release from upload to discovery, a takedown, and two editors racing on the
//! same video, each observed the way clients and downstream services see it.

use mediaflow_catalog::routes::{ListBody, SearchBody, VideoBody};
use mediaflow_shared::auth::Role;
use mediaflow_tests::support::catalog::{CatalogApp, WAIT};
use mediaflow_tests::support::events::EventProbe;
use serde_json::json;

async fn public_list(app: &CatalogApp) -> Vec<String> {
    let page: ListBody = app.get(None, "/videos").await.json().await.expect("list");
    page.items.into_iter().map(|v| v.title).collect()
}

async fn public_search(app: &CatalogApp, q: &str) -> Vec<String> {
    let found: SearchBody = app
        .http
        .get(app.url_with("/search", &[("q", q)]))
        .send()
        .await
        .expect("answers")
        .json()
        .await
        .expect("search body");
    found.items.into_iter().map(|v| v.title).collect()
}

#[tokio::test]
async fn a_release_goes_from_draft_to_discoverable_and_downstream_hears_each_step() {
    let app = CatalogApp::spawn().await;
    let mut downstream = EventProbe::bind(
        app.infra.bus.as_ref(),
        "test.catalog-release",
        "catalog.video.*",
    )
    .await
    .waiting(WAIT);
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let viewer = app.token("viewer-1", Role::Viewer);

    let draft = app.create_video(&creator, "Season Finale", "drama").await;
    assert!(public_list(&app).await.is_empty(), "a draft is not listed");
    assert!(
        public_search(&app, "finale").await.is_empty(),
        "a draft is not searchable"
    );
    let etag = format!("\"{}\"", draft.version);
    let patched = app
        .patch(
            &creator,
            &draft.id,
            Some(&etag),
            &json!({ "tags": ["finale", "season-2"] }),
        )
        .await;
    assert_eq!(patched.status(), 200, "the creator tags the draft");
    app.act_ok(&creator, &draft.id, "submit").await;
    app.act_ok(&admin, &draft.id, "processing-complete").await;
    app.act_ok(&admin, &draft.id, "publish").await;

    assert_eq!(
        public_list(&app).await,
        ["Season Finale"],
        "the release is listed"
    );
    assert_eq!(
        public_search(&app, "season-2").await,
        ["Season Finale"],
        "found by its tag"
    );
    let seen: VideoBody = app
        .get(Some(&viewer), &format!("/videos/{}", draft.id))
        .await
        .json()
        .await
        .expect("a viewer reads the published video");
    assert_eq!(
        (seen.status.as_str(), seen.version),
        ("published", 5),
        "five changes in all"
    );

    let mut heard = Vec::new();
    while heard.len() < 5 {
        let (key, envelope) = downstream.next().await.expect("downstream hears each step");
        heard.push((key, envelope.sequence));
    }
    let expected: Vec<(String, u64)> = [
        "catalog.video.created",
        "catalog.video.updated",
        "catalog.video.submitted",
        "catalog.video.processed",
        "catalog.video.published",
    ]
    .iter()
    .zip(1..)
    .map(|(key, sequence)| ((*key).to_owned(), sequence))
    .collect();
    assert_eq!(
        heard, expected,
        "downstream receives every step once, in order"
    );
}

#[tokio::test]
async fn a_takedown_hides_the_video_from_the_public_but_not_from_its_owner() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let video = app
        .publish_video(&creator, &admin, "Controversial Cut", "news")
        .await;
    let path = format!("/videos/{}", video.id);
    assert_eq!(
        app.get(None, &path).await.status(),
        200,
        "published: public"
    );
    assert_eq!(
        public_search(&app, "controversial").await.len(),
        1,
        "published: searchable"
    );

    app.act_ok(&admin, &video.id, "unpublish").await;
    assert_eq!(
        app.get(None, &path).await.status(),
        404,
        "after takedown the public gets 404"
    );
    assert!(
        public_list(&app).await.is_empty(),
        "after takedown the video is not listed"
    );
    assert!(
        public_search(&app, "controversial").await.is_empty(),
        "nor searchable"
    );
    let owned: VideoBody = app
        .get(Some(&creator), &path)
        .await
        .json()
        .await
        .expect("video");
    assert_eq!(
        owned.status, "ready",
        "the owner still sees the video, back in ready"
    );

    app.act_ok(&creator, &video.id, "archive").await;
    let archived = app
        .patch(
            &creator,
            &video.id,
            Some("\"6\""),
            &json!({ "title": "Renamed" }),
        )
        .await;
    assert_eq!(
        archived.status(),
        409,
        "an archived video can no longer be edited"
    );
}

#[tokio::test]
async fn two_editors_race_and_the_loser_retries_on_the_fresh_version() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let video = app.create_video(&creator, "Shared Title", "drama").await;
    let path = format!("/videos/{}", video.id);
    let seen_by_both: VideoBody = app
        .get(Some(&creator), &path)
        .await
        .json()
        .await
        .expect("video");
    let etag = format!("\"{}\"", seen_by_both.version);

    let first = app
        .patch(
            &creator,
            &video.id,
            Some(&etag),
            &json!({ "title": "Creator's Title" }),
        )
        .await;
    assert_eq!(first.status(), 200, "the first editor wins");
    let second = app
        .patch(
            &admin,
            &video.id,
            Some(&etag),
            &json!({ "genre": "thriller" }),
        )
        .await;
    assert_eq!(second.status(), 412, "the second editor's version is stale");

    let reloaded = app.get(Some(&admin), &path).await;
    let fresh_etag = reloaded.headers()["etag"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let retried = app
        .patch(
            &admin,
            &video.id,
            Some(&fresh_etag),
            &json!({ "genre": "thriller" }),
        )
        .await;
    assert_eq!(
        retried.status(),
        200,
        "after reloading, the second editor succeeds"
    );
    let final_state: VideoBody = retried.json().await.expect("video");
    assert_eq!(
        (
            final_state.title.as_str(),
            final_state.genre.as_str(),
            final_state.version
        ),
        ("Creator's Title", "thriller", 3),
        "both edits are kept, neither overwrote the other"
    );
}

#[tokio::test]
async fn through_the_gateway_a_release_is_published_and_found_by_anonymous_visitors() {
    use mediaflow_tests::support::platform::{Svc, TestPlatform};
    let platform = TestPlatform::start(&[Svc::Catalog, Svc::Gateway]).await;
    let creator = platform.access_token("creator-1", &[Role::Creator]);
    let admin = platform.access_token("admin-1", &[Role::Admin]);
    let body = json!({
        "title": "Gateway Premiere", "description": "Routed end to end", "genre": "drama",
        "tags": ["premiere"], "duration_secs": 1200
    });
    let created = platform
        .post(Svc::Gateway, "/api/catalog/videos", &body, Some(&creator))
        .await;
    assert_eq!(
        created.status, 201,
        "a creator creates through the gateway: {}",
        created.raw
    );
    let id = created.body["id"]
        .as_str()
        .expect("the created video has an id")
        .to_owned();
    for (token, action) in [
        (&creator, "submit"),
        (&admin, "processing-complete"),
        (&admin, "publish"),
    ] {
        let path = format!("/api/catalog/videos/{id}/{action}");
        let reply = platform
            .post(Svc::Gateway, &path, &json!({}), Some(token))
            .await;
        assert_eq!(
            reply.status, 200,
            "`{action}` through the gateway: {}",
            reply.raw
        );
    }

    let listed = platform
        .get(Svc::Gateway, "/api/catalog/videos", None)
        .await;
    assert_eq!(
        listed.status, 200,
        "the catalog listing is a public route: {}",
        listed.raw
    );
    assert_eq!(
        listed.body["items"][0]["id"],
        id.as_str(),
        "anonymous visitors see the release"
    );
    let found = platform
        .get(Svc::Gateway, "/api/catalog/search?q=premiere", None)
        .await;
    assert_eq!(found.status, 200, "search is a public route: {}", found.raw);
    assert_eq!(
        found.body["items"][0]["title"], "Gateway Premiere",
        "search finds the release"
    );
    let detail = platform
        .get(Svc::Gateway, &format!("/api/catalog/videos/{id}"), None)
        .await;
    assert_eq!(
        detail.body["status"], "published",
        "the detail is public once published"
    );
    let anonymous_write = platform
        .post(Svc::Gateway, "/api/catalog/videos", &body, None)
        .await;
    assert_eq!(
        anonymous_write.status, 401,
        "creating stays private behind the gateway"
    );
    platform.stop().await;
}
