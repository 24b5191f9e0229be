//! The catalog's listing and search requests: defaults, allow-listed sort and
//! order, page limits, status scope, keyset cursors and search text rules.

use mediaflow_catalog::domain::{
    Cursor, ListQuery, ListScope, ListingError, RawListQuery, RawSearchQuery, SearchQuery,
    SortField, SortKey, SortOrder, VideoId, VideoStatus,
};
use mediaflow_shared::ids::IdGenerator;

fn video_id(n: u64) -> VideoId {
    VideoId::generate(&IdGenerator::seeded(n))
}

#[test]
fn list_queries_default_to_twenty_newest_published_videos() {
    let query = ListQuery::parse(&RawListQuery::default(), ListScope::Public).expect("valid");
    assert_eq!(query.limit, 20, "the default page size is 20");
    assert_eq!(
        query.sort,
        SortField::PublishedAt,
        "the default sort is publication time"
    );
    assert_eq!(query.order, SortOrder::Desc, "newest first by default");
    assert_eq!(
        query.status,
        Some(VideoStatus::Published),
        "the public sees published videos only"
    );
    let admin = ListQuery::parse(&RawListQuery::default(), ListScope::Everything).expect("valid");
    assert_eq!(
        admin.status, None,
        "administrators see every status unless they filter"
    );
}

#[test]
fn list_limits_sorts_and_statuses_outside_their_allow_lists_are_refused() {
    let raw = |f: fn(&mut RawListQuery)| {
        let mut raw = RawListQuery::default();
        f(&mut raw);
        ListQuery::parse(&raw, ListScope::Public)
    };
    for limit in ["0", "101", "-1", "ten", "1e2"] {
        let result = ListQuery::parse(
            &RawListQuery {
                limit: Some(limit.to_owned()),
                ..RawListQuery::default()
            },
            ListScope::Public,
        );
        assert!(
            matches!(result, Err(ListingError::Limit { .. })),
            "limit={limit} must be refused"
        );
    }
    assert!(
        matches!(raw(|r| r.limit = Some("100".into())), Ok(q) if q.limit == 100),
        "limit=100 is the largest page"
    );
    assert!(
        matches!(
            raw(|r| r.sort = Some("title; DROP TABLE videos".into())),
            Err(ListingError::Sort(_))
        ),
        "a sort outside published_at/title/views must be refused"
    );
    assert!(
        matches!(
            raw(|r| r.order = Some("sideways".into())),
            Err(ListingError::Order(_))
        ),
        "an order other than asc/desc must be refused"
    );
    assert_eq!(
        raw(|r| r.status = Some("draft".into())),
        Err(ListingError::StatusNotAllowed),
        "a non-admin asking for drafts must be refused"
    );
}

#[test]
fn a_cursor_round_trips_for_its_query_and_is_refused_for_another_or_when_tampered() {
    let raw = RawListQuery {
        sort: Some("title".into()),
        order: Some("asc".into()),
        ..RawListQuery::default()
    };
    let query = ListQuery::parse(&raw, ListScope::Public).expect("valid");
    let cursor = Cursor {
        key: SortKey::Text("night train".into()),
        id: video_id(9),
    };
    let text = query.encode_cursor(&cursor);
    assert!(
        text.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "a cursor must be URL-safe, got {text}"
    );
    let again = ListQuery::parse(
        &RawListQuery {
            cursor: Some(text.clone()),
            ..raw.clone()
        },
        ListScope::Public,
    )
    .expect("the cursor is valid for its own query");
    assert_eq!(
        again.after,
        Some(cursor),
        "the cursor must decode to the same position"
    );

    let other_order = RawListQuery {
        order: Some("desc".into()),
        cursor: Some(text.clone()),
        ..raw.clone()
    };
    assert_eq!(
        ListQuery::parse(&other_order, ListScope::Public),
        Err(ListingError::Cursor),
        "a cursor replayed with another order would skip rows and must be refused"
    );
    let mut tampered = text.into_bytes();
    tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
    let tampered = RawListQuery {
        cursor: Some(String::from_utf8(tampered).expect("ascii")),
        ..raw
    };
    assert_eq!(
        ListQuery::parse(&tampered, ListScope::Public),
        Err(ListingError::Cursor),
        "a damaged cursor must be refused"
    );
}

#[test]
fn search_text_is_trimmed_lowercased_and_capped_at_100_characters() {
    let parse = |q: Option<&str>| {
        SearchQuery::parse(&RawSearchQuery {
            q: q.map(str::to_owned),
            ..RawSearchQuery::default()
        })
    };
    let query = parse(Some("  Jazz NIGHT ")).expect("valid search");
    assert_eq!(
        query.text, "jazz night",
        "search text is trimmed and lowercased"
    );
    assert_eq!(query.limit, 20, "the default search size is 20");
    assert_eq!(parse(None), Err(ListingError::EmptyQuery), "q is required");
    assert_eq!(
        parse(Some("   ")),
        Err(ListingError::EmptyQuery),
        "a blank q is refused"
    );
    assert!(
        parse(Some(&"é".repeat(100))).is_ok(),
        "100 characters are allowed"
    );
    assert_eq!(
        parse(Some(&"a".repeat(101))),
        Err(ListingError::QueryTooLong(101)),
        "101 characters are refused"
    );
    let over = SearchQuery::parse(&RawSearchQuery {
        q: Some("jazz".into()),
        limit: Some("51".into()),
        ..RawSearchQuery::default()
    });
    assert!(
        matches!(over, Err(ListingError::Limit { .. })),
        "search returns at most 50 results"
    );
}
