//! Upcasting event payloads across schema versions: the chain, missing steps,
//! events from the future and failing steps.

use mediaflow_shared::events::upcast::{UpcastError, Upcasters};
use mediaflow_shared::events::{EventEnvelope, EventId};
use mediaflow_shared::ids::IdGenerator;
use mediaflow_tests::support::manual_clock;
use serde_json::{Value, json};

fn envelope(event_type: &str, version: u32, payload: Value) -> EventEnvelope {
    let (_clock, shared) = manual_clock();
    EventEnvelope {
        id: EventId(IdGenerator::seeded(11).uuid()),
        event_type: event_type.to_owned(),
        aggregate_id: "video-1".to_owned(),
        sequence: 1,
        occurred_at: shared.now(),
        schema_version: version,
        correlation_id: "req-1".to_owned(),
        causation_id: None,
        payload,
    }
}

/// v1 `{name}` → v2 `{title}` → v3 `{title, duration_ms}` (seconds became milliseconds).
fn video_upcasters() -> Upcasters {
    let mut upcasters = Upcasters::new();
    upcasters
        .register("VideoUploaded", 1, |mut payload| {
            let name = payload
                .get("name")
                .cloned()
                .ok_or_else(|| "v1 payload has no `name`".to_owned())?;
            payload["title"] = name;
            if let Some(object) = payload.as_object_mut() {
                object.remove("name");
            }
            Ok(payload)
        })
        .and_then(|registry| {
            registry.register("VideoUploaded", 2, |mut payload| {
                let seconds = payload
                    .get("duration_s")
                    .and_then(Value::as_u64)
                    .ok_or_else(|| "v2 payload has no numeric `duration_s`".to_owned())?;
                payload["duration_ms"] = json!(seconds * 1000);
                if let Some(object) = payload.as_object_mut() {
                    object.remove("duration_s");
                }
                Ok(payload)
            })
        })
        .expect("distinct steps register");
    upcasters
}

#[test]
fn a_v1_event_is_brought_to_v3_through_each_step_in_order() {
    let upcasters = video_upcasters();
    assert_eq!(
        upcasters.current_version("VideoUploaded"),
        3,
        "two steps lead to v3"
    );
    let old = envelope(
        "VideoUploaded",
        1,
        json!({ "name": "Intro", "duration_s": 90 }),
    );
    let id = old.id;
    let upcast = upcasters.upcast(old).expect("v1 has a full chain to v3");
    assert_eq!(
        upcast.schema_version, 3,
        "the envelope must say it now holds v3"
    );
    assert_eq!(
        upcast.payload,
        json!({ "title": "Intro", "duration_ms": 90_000 }),
        "both steps must have been applied, v1→v2 before v2→v3"
    );
    assert_eq!(
        upcast.id, id,
        "upcasting must not change the event's identity"
    );
}

#[test]
fn a_current_event_passes_through_unchanged() {
    let upcasters = video_upcasters();
    let current = envelope(
        "VideoUploaded",
        3,
        json!({ "title": "Intro", "duration_ms": 1 }),
    );
    let result = upcasters.upcast(current.clone());
    assert_eq!(
        result,
        Ok(current),
        "an event at the current version needs no migration"
    );
}

#[test]
fn an_event_type_without_steps_is_at_version_one() {
    let upcasters = video_upcasters();
    assert_eq!(
        upcasters.current_version("ViewRecorded"),
        1,
        "unknown types start at v1"
    );
    let event = envelope("ViewRecorded", 1, json!({ "seconds": 5 }));
    assert_eq!(
        upcasters.upcast(event.clone()),
        Ok(event),
        "a v1 event of such a type is current"
    );
}

#[test]
fn a_missing_step_names_the_type_and_version() {
    let mut upcasters = Upcasters::new();
    upcasters
        .register("TranscodeCompleted", 2, Ok)
        .expect("a single step registers");
    let old = envelope("TranscodeCompleted", 1, json!({}));
    let error = upcasters.upcast(old).expect_err("there is no v1→v2 step");
    assert_eq!(
        error,
        UpcastError::MissingStep {
            event_type: "TranscodeCompleted".to_owned(),
            version: 1,
        },
        "the gap in the chain must be named"
    );
    assert!(
        error.to_string().contains("`TranscodeCompleted` v1 to v2"),
        "the message must say which step to register, got: {error}"
    );
}

#[test]
fn an_event_newer_than_the_consumer_knows_is_refused_as_from_the_future() {
    let upcasters = video_upcasters();
    let newer = envelope("VideoUploaded", 4, json!({ "title": "Intro" }));
    let error = upcasters.upcast(newer).expect_err("v4 is unknown here");
    assert_eq!(
        error,
        UpcastError::FromTheFuture {
            event_type: "VideoUploaded".to_owned(),
            version: 4,
            current: 3,
        },
        "an older consumer must not guess the shape of a newer event"
    );
    assert!(
        error.to_string().contains("from the future"),
        "message: {error}"
    );
}

#[test]
fn a_failing_step_reports_its_version_and_reason() {
    let upcasters = video_upcasters();
    let broken = envelope("VideoUploaded", 2, json!({ "title": "Intro" }));
    let error = upcasters.upcast(broken).expect_err("v2 lacks duration_s");
    assert_eq!(
        error,
        UpcastError::StepFailed {
            event_type: "VideoUploaded".to_owned(),
            from: 2,
            reason: "v2 payload has no numeric `duration_s`".to_owned(),
        },
        "the failing step and its reason must be reported"
    );
}

#[test]
fn registering_the_same_step_twice_is_refused() {
    let mut upcasters = video_upcasters();
    let error = upcasters
        .register("VideoUploaded", 1, Ok)
        .map(|_| ())
        .expect_err("v1→v2 already exists");
    assert_eq!(
        error,
        UpcastError::DuplicateStep {
            event_type: "VideoUploaded".to_owned(),
            from: 1,
        },
        "silently replacing a migration would hide a bug"
    );
}
