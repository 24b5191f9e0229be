//! The catalog's security: authentication on writes and on reads that send a
//! token, role checks, no IDOR (strangers can neither see nor change other
//! creators' unpublished videos), and no injection through search, sort, order,
//! limit, filters or cursors.

use mediaflow_catalog::routes::{ListBody, SearchBody, VideoBody};
use mediaflow_shared::auth::{Role, TokenType};
use mediaflow_tests::support::catalog::{self, CatalogApp};
use mediaflow_tests::support::fixtures::{claims, sign};
use serde_json::{Value, json};

async fn error_body(response: reqwest::Response) -> Value {
    response.json().await.expect("error bodies are JSON")
}

#[tokio::test]
async fn creating_a_video_needs_a_token_and_a_creator_role() {
    let app = CatalogApp::spawn().await;
    let anonymous = app
        .http
        .post(app.url("/videos"))
        .json(&catalog::video_body("Night Train", "drama"))
        .send()
        .await
        .expect("answers");
    assert_eq!(
        anonymous.status(),
        401,
        "creating without a token must answer 401"
    );
    assert!(
        anonymous.headers().contains_key("www-authenticate"),
        "a 401 must carry a Bearer challenge"
    );
    let viewer = app.token("viewer-1", Role::Viewer);
    let refused = app
        .create(&viewer, &catalog::video_body("Night Train", "drama"))
        .await;
    assert_eq!(refused.status(), 403, "a viewer must not create videos");

    let creator = app.token("creator-1", Role::Creator);
    let mut spoofed = catalog::video_body("Night Train", "drama");
    spoofed["owner_id"] = json!("victim");
    let spoof = app.create(&creator, &spoofed).await;
    assert_eq!(
        spoof.status(),
        400,
        "the owner comes from the token, never from the body"
    );
    let admins: ListBody = app
        .get(Some(&app.token("admin-1", Role::Admin)), "/videos")
        .await
        .json()
        .await
        .expect("list");
    assert!(
        admins.items.is_empty(),
        "no refused request may have created a video"
    );
}

#[tokio::test]
async fn forged_expired_refresh_and_foreign_tokens_are_refused_even_on_public_reads() {
    let app = CatalogApp::spawn().await;
    let valid = app.token("viewer-1", Role::Viewer);
    // Flip one character in the middle of the signature (the last one may only
    // carry padding bits).
    let mut forged = valid.clone().into_bytes();
    let at = forged.len() - 10;
    forged[at] = if forged[at] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).expect("ascii token");
    let refresh = sign(&claims(
        app.clock.as_ref(),
        "viewer-1",
        &[Role::Viewer],
        TokenType::Refresh,
    ));
    let mut foreign = claims(
        app.clock.as_ref(),
        "viewer-1",
        &[Role::Admin],
        TokenType::Access,
    );
    foreign.aud = "another-platform".into();
    let foreign = sign(&foreign);
    let mut other_issuer = claims(
        app.clock.as_ref(),
        "viewer-1",
        &[Role::Admin],
        TokenType::Access,
    );
    other_issuer.iss = "https://evil.example".into();
    let other_issuer = sign(&other_issuer);
    for (token, why) in [
        (&forged, "a token with a forged signature"),
        (&refresh, "a refresh token used as an access token"),
        (&foreign, "a token for another audience"),
        (&other_issuer, "a token from another issuer"),
    ] {
        let response = app.get(Some(token), "/videos").await;
        assert_eq!(
            response.status(),
            401,
            "{why} must be refused, not treated as anonymous"
        );
    }
    app.clock.advance(std::time::Duration::from_secs(16 * 60));
    let expired = app.get(Some(&valid), "/videos").await;
    assert_eq!(expired.status(), 401, "an expired token must be refused");
    assert_eq!(
        app.get(None, "/videos").await.status(),
        200,
        "no token at all is public access"
    );
}

#[tokio::test]
async fn unpublished_videos_look_exactly_like_missing_ones_to_strangers() {
    let app = CatalogApp::spawn().await;
    let owner = app.token("creator-1", Role::Creator);
    let stranger = app.token("creator-2", Role::Creator);
    let draft = app.create_video(&owner, "Secret Draft", "drama").await;
    let hidden = app
        .get(Some(&stranger), &format!("/videos/{}", draft.id))
        .await;
    let missing = app
        .get(Some(&stranger), &format!("/videos/vid_{}", "f".repeat(32)))
        .await;
    assert_eq!(
        hidden.status(),
        404,
        "a stranger must not see someone else's draft"
    );
    assert_eq!(missing.status(), 404, "a missing video is 404");
    assert_eq!(
        error_body(hidden).await,
        error_body(missing).await,
        "a hidden draft must be indistinguishable from a missing video"
    );
    let anonymous = app.get(None, &format!("/videos/{}", draft.id)).await;
    assert_eq!(
        anonymous.status(),
        404,
        "anonymous callers must not see drafts"
    );
    let malformed = app.get(None, "/videos/vid_'%20OR%20'1'='1").await;
    assert_eq!(
        malformed.status(),
        404,
        "a malformed id is simply not found"
    );
}

#[tokio::test]
async fn strangers_cannot_edit_submit_or_archive_another_creators_video() {
    let app = CatalogApp::spawn().await;
    let owner = app.token("creator-1", Role::Creator);
    let stranger = app.token("creator-2", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let draft = app.create_video(&owner, "Draft", "drama").await;
    let published = app.publish_video(&owner, &admin, "Public", "drama").await;

    let change = json!({ "title": "Hijacked" });
    let on_draft = app
        .patch(&stranger, &draft.id, Some("\"1\""), &change)
        .await;
    assert_eq!(
        on_draft.status(),
        404,
        "editing someone else's draft must look like a missing video"
    );
    let submit = app.act(&stranger, &draft.id, "submit", None).await;
    assert_eq!(
        submit.status(),
        404,
        "submitting someone else's draft must look missing"
    );
    let etag = format!("\"{}\"", published.version);
    let on_public = app
        .patch(&stranger, &published.id, Some(&etag), &change)
        .await;
    assert_eq!(
        on_public.status(),
        403,
        "editing someone else's published video is forbidden"
    );
    let archive = app.act(&stranger, &published.id, "archive", None).await;
    assert_eq!(
        archive.status(),
        403,
        "archiving someone else's video is forbidden"
    );

    let draft_now: VideoBody = app
        .get(Some(&owner), &format!("/videos/{}", draft.id))
        .await
        .json()
        .await
        .expect("video");
    let public_now: VideoBody = app
        .get(None, &format!("/videos/{}", published.id))
        .await
        .json()
        .await
        .expect("video");
    assert_eq!(
        (draft_now.title.as_str(), draft_now.status.as_str()),
        ("Draft", "draft"),
        "draft untouched"
    );
    assert_eq!(
        (public_now.title.as_str(), public_now.status.as_str()),
        ("Public", "published"),
        "published video untouched"
    );
}

#[tokio::test]
async fn only_administrators_publish_unpublish_or_complete_processing() {
    let app = CatalogApp::spawn().await;
    let owner = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    let video = app.create_video(&owner, "Night Train", "drama").await;
    app.act_ok(&owner, &video.id, "submit").await;
    let complete = app
        .act(&owner, &video.id, "processing-complete", None)
        .await;
    assert_eq!(
        complete.status(),
        403,
        "an owner may not declare processing complete"
    );
    app.act_ok(&admin, &video.id, "processing-complete").await;
    let publish = app.act(&owner, &video.id, "publish", None).await;
    assert_eq!(
        publish.status(),
        403,
        "an owner may not publish their own video"
    );
    app.act_ok(&admin, &video.id, "publish").await;
    let unpublish = app.act(&owner, &video.id, "unpublish", None).await;
    assert_eq!(unpublish.status(), 403, "an owner may not unpublish");
    let viewer = app.token("viewer-1", Role::Viewer);
    let by_viewer = app.act(&viewer, &video.id, "archive", None).await;
    assert_eq!(
        by_viewer.status(),
        403,
        "a viewer may not archive a published video"
    );
}

#[tokio::test]
async fn sql_injection_through_search_matches_nothing_and_leaves_the_table_intact() {
    let app = CatalogApp::spawn().await;
    let owner = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    app.publish_video(&owner, &admin, "Night Train", "drama")
        .await;
    app.create_video(&owner, "Hidden Draft", "drama").await;
    for attack in [
        "' OR 1=1 --",
        "%' OR '1'='1",
        "x' UNION SELECT id, owner_id, title FROM videos --",
        "'; DROP TABLE videos; --",
    ] {
        let response = app
            .http
            .get(app.url_with("/search", &[("q", attack)]))
            .send()
            .await
            .expect("answers");
        assert_eq!(
            response.status(),
            200,
            "`{attack}` is just text to search for"
        );
        let found: SearchBody = response.json().await.expect("search body");
        assert!(
            found.items.is_empty(),
            "`{attack}` must match no title, got {}",
            found.items.len()
        );
    }
    let still: ListBody = app
        .get(Some(&admin), "/videos")
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(
        still.items.len(),
        2,
        "the videos table must survive every attempt"
    );
}

#[tokio::test]
async fn like_wildcards_in_search_match_only_themselves() {
    let app = CatalogApp::spawn().await;
    let owner = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    for title in ["100% Jazz", "1000 Jazz", "snake_case", "snakeXcase"] {
        app.publish_video(&owner, &admin, title, "music").await;
    }
    for (q, expected) in [("100%", "100% Jazz"), ("snake_case", "snake_case")] {
        let found: SearchBody = app
            .http
            .get(app.url_with("/search", &[("q", q)]))
            .send()
            .await
            .expect("answers")
            .json()
            .await
            .expect("search body");
        let titles: Vec<&str> = found.items.iter().map(|v| v.title.as_str()).collect();
        assert_eq!(
            titles,
            [expected],
            "`{q}` must match literally, not as a LIKE wildcard"
        );
    }
}

#[tokio::test]
async fn injection_through_sort_order_limit_genre_status_and_cursor_is_refused() {
    let app = CatalogApp::spawn().await;
    let admin = app.token("admin-1", Role::Admin);
    for (name, value) in [
        ("sort", "title; DROP TABLE videos"),
        ("sort", "(SELECT owner_id FROM videos)"),
        ("order", "asc, (SELECT 1)"),
        ("limit", "10 OR 1=1"),
        ("limit", "-1"),
        ("genre", "drama' OR '1'='1"),
        ("status", "published' OR '1'='1"),
        ("cursor", "' OR 1=1 --"),
    ] {
        let response = app
            .http
            .get(app.url_with("/videos", &[(name, value)]))
            .bearer_auth(&admin)
            .send()
            .await
            .expect("answers");
        assert_eq!(
            response.status(),
            400,
            "{name}={value} must be refused, not interpolated"
        );
        let body = response.text().await.expect("body").to_lowercase();
        assert!(
            ["sqlite", "syntax error", "no such", "sql error"]
                .iter()
                .all(|marker| !body.contains(marker)),
            "the refusal must come from validation, never from the database engine, got: {body}"
        );
        assert!(
            !body.to_lowercase().contains("sql") && !body.contains("SELECT"),
            "the refusal must not echo SQL or engine errors, got: {body}"
        );
    }
    let long = "a".repeat(101);
    let too_long = app
        .http
        .get(app.url_with("/search", &[("q", long.as_str())]))
        .send()
        .await
        .expect("answers");
    assert_eq!(
        too_long.status(),
        400,
        "search text over 100 characters must be refused"
    );
}

#[tokio::test]
async fn an_administrators_cursor_cannot_widen_an_anonymous_listing() {
    let app = CatalogApp::spawn().await;
    let owner = app.token("creator-1", Role::Creator);
    let admin = app.token("admin-1", Role::Admin);
    for n in 0..3 {
        app.create_video(&owner, &format!("Draft {n}"), "drama")
            .await;
    }
    let page: ListBody = app
        .get(Some(&admin), "/videos?limit=1")
        .await
        .json()
        .await
        .expect("list");
    let cursor = page
        .next_cursor
        .expect("an admin sees three drafts, so a next page exists");
    let replayed = app
        .get(None, &format!("/videos?limit=1&cursor={cursor}"))
        .await;
    assert_eq!(
        replayed.status(),
        400,
        "a cursor issued for every status must not be accepted for the public listing"
    );
}
