//! The catalog's wire contracts: exact JSON shapes of its responses, error
//! bodies and request schemas, and of the event envelopes and payloads it
//! publishes. A renamed, added or dropped field fails here.

use std::collections::BTreeSet;

use mediaflow_shared::auth::Role;
use mediaflow_tests::support::catalog::{self, CatalogApp, WAIT};
use mediaflow_tests::support::events::EventProbe;
use serde_json::{Value, json};

fn keys(value: &Value) -> BTreeSet<&str> {
    value
        .as_object()
        .expect("a JSON object")
        .keys()
        .map(String::as_str)
        .collect()
}

fn set<'a>(names: &[&'a str]) -> BTreeSet<&'a str> {
    names.iter().copied().collect()
}

const VIDEO_FIELDS: &[&str] = &[
    "id",
    "owner_id",
    "title",
    "description",
    "genre",
    "tags",
    "duration_secs",
    "status",
    "version",
    "views",
    "created_at",
    "updated_at",
    "published_at",
];

const ENVELOPE_FIELDS: &[&str] = &[
    "id",
    "event_type",
    "aggregate_id",
    "sequence",
    "occurred_at",
    "schema_version",
    "correlation_id",
    "payload",
];

#[tokio::test]
async fn a_video_is_served_with_exactly_the_documented_fields_and_types() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let body = json!({
        "title": "Night Train", "description": "A long night", "genre": "drama",
        "tags": ["rail", "night"], "duration_secs": 5400
    });
    let created: Value = app
        .create(&creator, &body)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        keys(&created),
        set(VIDEO_FIELDS),
        "the video body's field set is the contract"
    );
    assert_eq!(created["title"], "Night Train", "title is a string");
    assert_eq!(
        created["description"], "A long night",
        "description is a string"
    );
    assert_eq!(created["genre"], "drama", "genre is its lowercase name");
    assert_eq!(
        created["tags"],
        json!(["rail", "night"]),
        "tags are a list of strings"
    );
    assert_eq!(
        created["duration_secs"], 5400,
        "duration_secs is an integer"
    );
    assert_eq!(created["status"], "draft", "status is its lowercase name");
    assert_eq!(created["version"], 1, "version is an integer");
    assert_eq!(created["views"], 0, "views is an integer");
    assert_eq!(
        created["published_at"],
        Value::Null,
        "published_at is null until published"
    );
    assert_eq!(
        created["created_at"], "2026-01-01T00:00:00Z",
        "timestamps are RFC 3339 in UTC with a Z suffix"
    );
    let id = created["id"].as_str().expect("id is a string");
    assert!(
        id.starts_with("vid_") && id.len() == 36,
        "ids look like vid_<32 hex>, got {id}"
    );
}

#[tokio::test]
async fn list_and_search_bodies_wrap_videos_in_items() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    app.publish_video(&creator, &admin, "First", "drama").await;
    app.publish_video(&creator, &admin, "Second", "drama").await;

    let page: Value = app
        .get(None, "/videos?limit=1")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        keys(&page),
        set(&["items", "next_cursor"]),
        "a page has items and next_cursor"
    );
    assert_eq!(
        page["items"].as_array().map(Vec::len),
        Some(1),
        "limit=1 gives one item"
    );
    assert_eq!(
        keys(&page["items"][0]),
        set(VIDEO_FIELDS),
        "list items are full videos"
    );
    assert!(
        page["next_cursor"].is_string(),
        "a cursor string when more pages follow"
    );
    let last: Value = app
        .get(
            None,
            &format!(
                "/videos?limit=1&cursor={}",
                page["next_cursor"].as_str().expect("s")
            ),
        )
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        last["next_cursor"],
        Value::Null,
        "next_cursor is null on the last page"
    );

    let found: Value = app
        .get(None, "/search?q=first")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(
        keys(&found),
        set(&["items"]),
        "a search result has items only"
    );
    assert_eq!(
        found["items"][0]["title"], "First",
        "search items are videos"
    );
}

#[tokio::test]
async fn errors_use_the_shared_shape_with_stable_codes() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let video = app.create_video(&creator, "Night Train", "drama").await;
    let missing_id = format!("/videos/vid_{}", "0".repeat(32));
    let cases = [
        (app.get(None, &missing_id).await, 404, "not_found"),
        (
            app.act(&admin, &video.id, "publish", None).await,
            409,
            "invalid_transition",
        ),
        (
            app.patch(&creator, &video.id, None, &json!({"title": "X"}))
                .await,
            428,
            "precondition_required",
        ),
        (
            app.patch(&creator, &video.id, Some("\"7\""), &json!({"title": "X"}))
                .await,
            412,
            "precondition_failed",
        ),
        (
            app.get(None, "/videos?limit=0").await,
            400,
            "invalid_request",
        ),
        (
            app.get(Some(&creator), "/videos?status=draft").await,
            403,
            "forbidden",
        ),
        (
            app.get(Some("not-a-token"), "/videos").await,
            401,
            "unauthorized",
        ),
    ];
    for (response, status, code) in cases {
        assert_eq!(
            response.status(),
            status,
            "expected {status} for code {code}"
        );
        let body: Value = response.json().await.expect("error bodies are JSON");
        assert_eq!(
            keys(&body),
            set(&["error"]),
            "an error body has only `error`"
        );
        assert_eq!(
            keys(&body["error"]),
            set(&["code", "message"]),
            "`error` has code and message"
        );
        assert_eq!(
            body["error"]["code"], code,
            "status {status} carries code {code}"
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "every error explains itself"
        );
    }
}

#[tokio::test]
async fn request_bodies_with_unknown_renamed_or_mistyped_fields_are_refused() {
    let app = CatalogApp::spawn().await;
    let creator = app.token("creator-1", Role::Creator);
    let mut renamed = catalog::video_body("Night Train", "drama");
    let duration = renamed["duration_secs"].take();
    renamed
        .as_object_mut()
        .expect("object")
        .remove("duration_secs");
    renamed["duration"] = duration;
    let mut extra = catalog::video_body("Night Train", "drama");
    extra["status"] = json!("published");
    let mut mistyped = catalog::video_body("Night Train", "drama");
    mistyped["duration_secs"] = json!("600");
    for (body, why) in [
        (renamed, "duration renamed from duration_secs"),
        (extra, "a status field clients may not set"),
        (mistyped, "duration_secs as a string"),
    ] {
        let response = app.create(&creator, &body).await;
        assert_eq!(
            response.status(),
            400,
            "a create body with {why} must be refused"
        );
    }
    let video = app.create_video(&creator, "Night Train", "drama").await;
    let patched = app
        .patch(&creator, &video.id, Some("\"1\""), &json!({ "name": "X" }))
        .await;
    assert_eq!(
        patched.status(),
        400,
        "a PATCH with an unknown field must be refused"
    );
    let plain = app
        .http
        .post(app.url("/videos"))
        .bearer_auth(&creator)
        .body(catalog::video_body("Night Train", "drama").to_string())
        .send()
        .await
        .expect("answers");
    assert_eq!(
        plain.status(),
        415,
        "a body without Content-Type: application/json is refused"
    );
}

#[tokio::test]
async fn published_envelopes_and_payloads_have_the_documented_fields() {
    let app = CatalogApp::spawn().await;
    let mut events = EventProbe::bind(
        app.infra.bus.as_ref(),
        "test.catalog-contract",
        "catalog.video.#",
    )
    .await
    .waiting(WAIT);
    let creator = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let video = app
        .publish_video(&creator, &admin, "Night Train", "drama")
        .await;
    let etag = format!("\"{}\"", video.version);
    app.patch(
        &creator,
        &video.id,
        Some(&etag),
        &json!({ "tags": ["rail"] }),
    )
    .await;
    app.act_ok(&admin, &video.id, "unpublish").await;
    app.act_ok(&creator, &video.id, "archive").await;

    let mut payloads = Vec::new();
    for _ in 0..7 {
        let (key, envelope) = events.next().await.expect("seven events are published");
        let raw = serde_json::to_value(&envelope).expect("envelopes serialise");
        assert_eq!(keys(&raw), set(ENVELOPE_FIELDS), "envelope fields of {key}");
        assert_eq!(
            envelope.schema_version, 1,
            "catalog payloads are at schema version 1"
        );
        payloads.push((key, envelope.event_type, envelope.payload));
    }
    let expect = |index: usize, key: &str, event_type: &str, fields: &[&str]| {
        let (k, t, payload) = &payloads[index];
        assert_eq!((k.as_str(), t.as_str()), (key, event_type), "event {index}");
        assert_eq!(keys(payload), set(fields), "payload fields of {event_type}");
        assert_eq!(
            payload["video_id"],
            video.id.as_str(),
            "{event_type} names the video"
        );
    };
    let metadata = [
        "video_id",
        "title",
        "description",
        "genre",
        "tags",
        "duration_secs",
    ];
    let mut created = metadata.to_vec();
    created.push("owner_id");
    let mut updated = metadata.to_vec();
    updated.push("changed");
    expect(0, "catalog.video.created", "VideoCreated", &created);
    expect(
        1,
        "catalog.video.submitted",
        "VideoSubmitted",
        &["video_id"],
    );
    expect(
        2,
        "catalog.video.processed",
        "VideoProcessed",
        &["video_id"],
    );
    expect(
        3,
        "catalog.video.published",
        "VideoPublished",
        &["video_id", "owner_id", "title", "genre"],
    );
    expect(4, "catalog.video.updated", "VideoUpdated", &updated);
    expect(
        5,
        "catalog.video.unpublished",
        "VideoUnpublished",
        &["video_id"],
    );
    expect(
        6,
        "catalog.video.archived",
        "VideoArchived",
        &["video_id", "previous_status"],
    );
    assert_eq!(
        payloads[4].2["changed"],
        json!(["tags"]),
        "changed lists the changed fields"
    );
    assert_eq!(
        payloads[4].2["tags"],
        json!(["rail"]),
        "updated carries the new values"
    );
    assert_eq!(
        payloads[6].2["previous_status"], "ready",
        "archived names the state it left"
    );
    assert_eq!(
        payloads[3].2["owner_id"], "creator-1",
        "published names the owner"
    );
}
