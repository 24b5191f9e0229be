//! The catalog's aggregate: ids, the lifecycle state machine, decisions on
//! commands, folding a video from its events, and event naming.

use chrono::{DateTime, TimeDelta, Utc};
use mediaflow_catalog::domain::{
    Action, Description, DomainError, DurationSecs, Genre, Metadata, MetadataPatch, Recorded,
    ReplayError, Tags, Title, Video, VideoId, VideoStatus,
};
use mediaflow_catalog::events::{VideoEvent, routing_key_of};
use mediaflow_shared::ids::IdGenerator;

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_225_600, 0).expect("valid epoch") + TimeDelta::seconds(seconds)
}

fn metadata(title: &str) -> Metadata {
    Metadata {
        title: Title::parse(title).expect("valid title"),
        description: Description::parse("A film").expect("valid description"),
        genre: Genre::Drama,
        tags: Tags::parse(&["film"]).expect("valid tags"),
        duration_secs: DurationSecs::new(5400).expect("valid duration"),
    }
}

fn video_id(n: u64) -> VideoId {
    VideoId::generate(&IdGenerator::seeded(n))
}

/// A draft at version 1 created at `at(0)`.
fn draft() -> Video {
    let id = video_id(1);
    let VideoEvent::Created(created) = Video::create(id, "owner-1", metadata("Night Train")) else {
        panic!("create must produce VideoCreated");
    };
    Video::started(&created, at(0), 1)
}

/// Folds the decisions for `actions` onto `video`, one second apart.
fn walk(mut video: Video, actions: &[Action]) -> Video {
    for action in actions {
        let event = video
            .decide(*action)
            .expect("the walk only takes allowed actions");
        let recorded = Recorded {
            event,
            version: video.version + 1,
            at: at(i64::try_from(video.version).expect("small version")),
        };
        video.apply(&recorded).expect("a decided event applies");
    }
    video
}

#[test]
fn video_ids_accept_only_the_vid_prefix_and_32_lowercase_hex_digits() {
    let valid = format!("vid_{}", "0123456789abcdef".repeat(2));
    assert!(
        VideoId::parse(&valid).is_ok(),
        "a well-formed id must parse"
    );
    for bad in [
        "",
        "vid_",
        "vid_0123",
        &format!("VID_{}", "a".repeat(32)),
        &format!("vid_{}", "A".repeat(32)),
        &format!("vid_{}", "g".repeat(32)),
        &format!("vid_{}x", "a".repeat(32)),
        &format!("vid-{}", "a".repeat(32)),
        "vid_' OR '1'='1",
    ] {
        assert!(
            VideoId::parse(bad).is_err(),
            "`{bad}` must not be accepted as a video id"
        );
    }
}

#[test]
fn generated_video_ids_parse_back_and_name_their_stream() {
    let id = video_id(3);
    let reparsed = VideoId::parse(id.as_str()).expect("a generated id is well-formed");
    assert_eq!(reparsed, id, "a generated id must round-trip through parse");
    assert_eq!(
        id.stream_id(),
        format!("video-{id}"),
        "a video's events must live in the stream video-<id>"
    );
    assert_ne!(
        video_id(3),
        video_id(4),
        "different seeds must give different ids"
    );
}

#[test]
fn the_lifecycle_allows_exactly_the_documented_transitions() {
    use VideoStatus::{Archived, Draft, Processing, Published, Ready};
    let allowed = [
        (Action::Submit, Draft, Processing),
        (Action::ProcessingComplete, Processing, Ready),
        (Action::Publish, Ready, Published),
        (Action::Unpublish, Published, Ready),
        (Action::Archive, Draft, Archived),
        (Action::Archive, Processing, Archived),
        (Action::Archive, Ready, Archived),
        (Action::Archive, Published, Archived),
    ];
    for action in Action::ALL {
        for from in VideoStatus::ALL {
            let expected = allowed.iter().find(|(a, f, _)| *a == action && *f == from);
            assert_eq!(
                action.allowed_from(from),
                expected.is_some(),
                "{action} from {from} allowed? the state machine disagrees with the table"
            );
            if let Some((_, _, to)) = expected {
                assert_eq!(action.target(), *to, "{action} must lead to {to}");
            }
        }
    }
}

#[test]
fn an_invalid_transition_is_refused_with_a_message_naming_both_states() {
    let error = draft()
        .decide(Action::Publish)
        .expect_err("a draft cannot be published");
    assert_eq!(
        error,
        DomainError::InvalidTransition {
            action: Action::Publish,
            from: VideoStatus::Draft,
            to: VideoStatus::Published,
        },
        "publishing a draft must be an invalid transition"
    );
    let message = error.to_string();
    assert!(
        message.contains("draft") && message.contains("published"),
        "the message must name the current and the target state, got: {message}"
    );
    let archived = walk(draft(), &[Action::Archive]);
    assert!(
        archived.decide(Action::Archive).is_err(),
        "an archived video cannot be archived again"
    );
}

#[test]
fn folding_a_stream_yields_the_current_state_and_publication_time() {
    let published = walk(
        draft(),
        &[Action::Submit, Action::ProcessingComplete, Action::Publish],
    );
    assert_eq!(
        published.status,
        VideoStatus::Published,
        "the walk ends published"
    );
    assert_eq!(published.version, 4, "four events mean version 4");
    assert_eq!(
        published.published_at,
        Some(at(3)),
        "published_at is the publish event's time"
    );
    assert_eq!(
        published.created_at,
        at(0),
        "created_at stays the creation time"
    );
    assert_eq!(
        published.updated_at,
        at(3),
        "updated_at is the last event's time"
    );

    let unpublished = walk(published, &[Action::Unpublish]);
    assert_eq!(
        unpublished.status,
        VideoStatus::Ready,
        "unpublish returns to ready"
    );
    assert_eq!(
        unpublished.published_at, None,
        "a video that is not published has no published_at"
    );
}

#[test]
fn replay_rebuilds_the_same_state_from_events_and_rejects_gaps() {
    let id = video_id(1);
    let created = Video::create(id, "owner-1", metadata("Night Train"));
    let submitted = draft()
        .decide(Action::Submit)
        .expect("a draft can be submitted");
    let events = vec![
        Recorded {
            event: created.clone(),
            version: 1,
            at: at(0),
        },
        Recorded {
            event: submitted.clone(),
            version: 2,
            at: at(5),
        },
    ];
    let video = Video::replay(None, &events)
        .expect("a contiguous stream replays")
        .expect("a non-empty stream yields a video");
    assert_eq!(
        video.status,
        VideoStatus::Processing,
        "the replayed state is processing"
    );
    assert_eq!(video.version, 2, "the replayed version is the last event's");

    let gap = vec![
        Recorded {
            event: created,
            version: 1,
            at: at(0),
        },
        Recorded {
            event: submitted.clone(),
            version: 3,
            at: at(5),
        },
    ];
    assert_eq!(
        Video::replay(None, &gap),
        Err(ReplayError::Gap {
            current: 1,
            found: 3
        }),
        "a missing version must be detected, not skipped"
    );
    let headless = vec![Recorded {
        event: submitted,
        version: 1,
        at: at(0),
    }];
    assert!(
        matches!(
            Video::replay(None, &headless),
            Err(ReplayError::NotCreatedFirst(_))
        ),
        "a stream must start with VideoCreated"
    );
}

#[test]
fn an_update_records_only_the_fields_that_change() {
    let video = draft();
    let patch = MetadataPatch {
        title: Some(Title::parse("Night Train").expect("valid")),
        genre: Some(Genre::Thriller),
        ..MetadataPatch::default()
    };
    let Some(VideoEvent::Updated(updated)) = video.decide_update(&patch).expect("allowed") else {
        panic!("a genre change must produce VideoUpdated");
    };
    assert_eq!(
        updated.changed,
        ["genre"],
        "the unchanged title must not be listed as changed"
    );
    assert_eq!(
        updated.genre,
        Genre::Thriller,
        "the event carries the new genre"
    );
    assert_eq!(
        updated.title.as_str(),
        "Night Train",
        "the event carries the full metadata after the change"
    );

    let same = MetadataPatch {
        genre: Some(Genre::Drama),
        ..MetadataPatch::default()
    };
    assert_eq!(
        video.decide_update(&same),
        Ok(None),
        "a patch changing nothing records nothing"
    );
    assert_eq!(
        video.decide_update(&MetadataPatch::default()),
        Err(DomainError::EmptyPatch),
        "an empty patch is a client error"
    );
    let archived = walk(draft(), &[Action::Archive]);
    assert_eq!(
        archived.decide_update(&patch),
        Err(DomainError::Archived),
        "archived videos are read-only"
    );
}

#[test]
fn every_event_type_is_pascal_case_with_a_catalog_video_routing_key() {
    let video = draft();
    let events = [
        Video::create(video_id(1), "owner-1", metadata("A")),
        video.decide(Action::Submit).expect("allowed"),
        walk(draft(), &[Action::Submit])
            .decide(Action::ProcessingComplete)
            .expect("allowed"),
        walk(draft(), &[Action::Submit, Action::ProcessingComplete])
            .decide(Action::Publish)
            .expect("allowed"),
        video.decide(Action::Archive).expect("allowed"),
    ];
    let expected = [
        ("VideoCreated", "catalog.video.created"),
        ("VideoSubmitted", "catalog.video.submitted"),
        ("VideoProcessed", "catalog.video.processed"),
        ("VideoPublished", "catalog.video.published"),
        ("VideoArchived", "catalog.video.archived"),
    ];
    for (event, (event_type, routing_key)) in events.iter().zip(expected) {
        assert_eq!(event.event_type(), event_type, "event type of {event:?}");
        assert_eq!(
            event.routing_key(),
            routing_key,
            "routing key of {event_type}"
        );
        assert_eq!(
            routing_key_of(event_type),
            Some(routing_key),
            "lookup of {event_type}"
        );
    }
    assert_eq!(
        routing_key_of("VideoUnpublished"),
        Some("catalog.video.unpublished")
    );
    assert_eq!(
        routing_key_of("VideoUpdated"),
        Some("catalog.video.updated")
    );
    assert_eq!(
        routing_key_of("ViewRecorded"),
        None,
        "foreign types have no catalog key"
    );
}
