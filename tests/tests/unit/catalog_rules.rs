//! The catalog's validation and policy rules: metadata values (title, tags,
//! duration, genre), who may see and change which video, and settings.

use mediaflow_catalog::Settings;
use mediaflow_catalog::domain::{
    Action, Caller, Denied, DurationSecs, Genre, MetadataError, Tags, Title, VideoStatus, Viewer,
    can_view, check_action, check_edit,
};
use mediaflow_shared::auth::Role;
use mediaflow_shared::config::Env;

fn caller(user: &str, role: Role) -> Caller {
    Caller {
        user_id: user.to_owned(),
        role,
    }
}

#[test]
fn titles_are_trimmed_and_blank_overlong_or_control_titles_are_refused() {
    assert_eq!(
        Title::parse("  Night Train  ").expect("valid").as_str(),
        "Night Train",
        "surrounding blanks must be trimmed"
    );
    assert!(
        Title::parse(&"é".repeat(200)).is_ok(),
        "200 characters (not bytes) must fit"
    );
    assert_eq!(
        Title::parse("   "),
        Err(MetadataError::Title),
        "a blank title must be refused"
    );
    assert_eq!(
        Title::parse(&"a".repeat(201)),
        Err(MetadataError::Title),
        "201 characters must be refused"
    );
    assert_eq!(
        Title::parse("bad\u{0}title"),
        Err(MetadataError::Title),
        "control characters must be refused"
    );
    assert_eq!(
        Title::parse("Night Train").expect("valid").sort_key(),
        "night train",
        "titles must sort by their lowercase form"
    );
}

#[test]
fn tags_are_lowercased_deduplicated_and_capped_at_ten() {
    let tags = Tags::parse(&[" Jazz ", "live", "JAZZ", "new-york"]).expect("valid tags");
    assert_eq!(
        tags.as_slice(),
        ["jazz", "live", "new-york"],
        "tags must be lowercased, trimmed and deduplicated in first-seen order"
    );
    let eleven: Vec<String> = (0..11).map(|n| format!("t{n}")).collect();
    assert_eq!(
        Tags::parse(&eleven),
        Err(MetadataError::TooManyTags(11)),
        "eleven distinct tags must be refused"
    );
    for bad in ["", "two words", "semi;colon", &"x".repeat(33)] {
        assert!(Tags::parse(&[bad]).is_err(), "tag `{bad}` must be refused");
    }
}

#[test]
fn durations_outside_one_second_to_twelve_hours_are_refused() {
    assert!(
        DurationSecs::new(1).is_ok(),
        "one second is the shortest video"
    );
    assert!(
        DurationSecs::new(43_200).is_ok(),
        "twelve hours is the longest video"
    );
    for bad in [0, 43_201, u64::from(u32::MAX) + 1] {
        assert_eq!(
            DurationSecs::new(bad),
            Err(MetadataError::Duration(bad)),
            "{bad} seconds must be refused"
        );
    }
}

#[test]
fn genres_parse_case_insensitively_from_the_closed_list() {
    assert_eq!(
        "Sports".parse::<Genre>(),
        Ok(Genre::Sports),
        "genre names ignore case"
    );
    assert_eq!(
        " music ".parse::<Genre>(),
        Ok(Genre::Music),
        "blanks around a genre are ignored"
    );
    let unknown = "polka"
        .parse::<Genre>()
        .expect_err("polka is not in the list");
    assert!(
        unknown.to_string().contains("documentary"),
        "the error must list the valid genres, got: {unknown}"
    );
}

#[test]
fn published_videos_are_public_and_others_visible_only_to_owner_and_admins() {
    let anonymous = Viewer::Anonymous;
    let owner = Viewer::User(caller("owner-1", Role::Creator));
    let stranger = Viewer::User(caller("other", Role::Creator));
    let admin = Viewer::User(caller("root", Role::Admin));
    for status in VideoStatus::ALL {
        let public = status == VideoStatus::Published;
        assert_eq!(
            can_view(&anonymous, status, "owner-1"),
            public,
            "anonymous, {status}"
        );
        assert_eq!(
            can_view(&stranger, status, "owner-1"),
            public,
            "another creator, {status}"
        );
        assert!(
            can_view(&owner, status, "owner-1"),
            "the owner sees a {status} video"
        );
        assert!(
            can_view(&admin, status, "owner-1"),
            "an admin sees a {status} video"
        );
    }
}

#[test]
fn only_admins_publish_unpublish_or_complete_processing_and_strangers_edit_nothing() {
    let owner = caller("owner-1", Role::Creator);
    let admin = caller("root", Role::Admin);
    let stranger = caller("other", Role::Creator);
    for action in Action::ALL {
        let by_owner = check_action(&owner, action, VideoStatus::Ready, "owner-1");
        assert_eq!(
            by_owner.is_ok(),
            !action.admin_only(),
            "may the owner {action}? only publish, unpublish and processing-complete are admin-only"
        );
        assert!(
            check_action(&admin, action, VideoStatus::Ready, "owner-1").is_ok(),
            "an admin may {action} any video"
        );
    }
    assert_eq!(
        check_edit(&stranger, VideoStatus::Draft, "owner-1"),
        Err(Denied::Hidden),
        "a stranger must not learn that someone else's draft exists"
    );
    assert_eq!(
        check_edit(&stranger, VideoStatus::Published, "owner-1"),
        Err(Denied::Forbidden),
        "a stranger sees a published video but may not edit it"
    );
}

#[test]
fn settings_read_catalog_variables_and_name_the_bad_one() {
    let keys = ("MEDIAFLOW_JWT_KEYS", "k1:0123456789abcdef0123456789abcdef");
    let env = Env::from_pairs([
        keys,
        ("MEDIAFLOW_CATALOG_VIDEO_CACHE_TTL", "2m"),
        ("MEDIAFLOW_CATALOG_CACHE_JITTER_PERCENT", "35"),
        ("MEDIAFLOW_CATALOG_SNAPSHOT_EVERY", "10"),
        ("MEDIAFLOW_CATALOG_OUTBOX_TICK", "250ms"),
    ]);
    let settings = Settings::from_env(&env).expect("valid settings");
    assert_eq!(settings.cache.video_ttl.as_secs(), 120, "2m is 120 seconds");
    assert!(
        (settings.cache.jitter - 0.35).abs() < 1e-9,
        "35 percent jitter is 0.35"
    );
    assert_eq!(settings.snapshot_every, 10, "the snapshot interval is read");
    assert_eq!(
        settings.outbox_tick.as_millis(),
        250,
        "the relay tick is read"
    );
    assert_eq!(
        settings.cache.list_ttl.as_secs(),
        60,
        "unset variables keep their defaults"
    );

    let bad = Env::from_pairs([keys, ("MEDIAFLOW_CATALOG_CACHE_JITTER_PERCENT", "95")]);
    let error = Settings::from_env(&bad).expect_err("95 percent jitter is out of range");
    assert!(
        error
            .to_string()
            .contains("MEDIAFLOW_CATALOG_CACHE_JITTER_PERCENT"),
        "the error must name the variable, got: {error}"
    );
    let unitless = Env::from_pairs([keys, ("MEDIAFLOW_CATALOG_LIST_CACHE_TTL", "60")]);
    assert!(
        Settings::from_env(&unitless).is_err(),
        "a TTL without a unit must be refused, not guessed"
    );
}
