//! The event envelope: its round trip through a bus message, the message
//! properties it sets, and typed payload decoding errors.

use mediaflow_shared::events::{EnvelopeError, EventEnvelope, EventId, Message};
use mediaflow_shared::ids::IdGenerator;
use mediaflow_tests::support::manual_clock;
use serde_json::json;

fn envelope(causation: bool) -> EventEnvelope {
    let ids = IdGenerator::seeded(7);
    let (_clock, shared) = manual_clock();
    EventEnvelope {
        id: EventId(ids.uuid()),
        event_type: "VideoUploaded".to_owned(),
        aggregate_id: "video-42".to_owned(),
        sequence: 3,
        occurred_at: shared.now(),
        schema_version: 2,
        correlation_id: "req-9".to_owned(),
        causation_id: causation.then(|| EventId(ids.uuid())),
        payload: json!({ "title": "Intro", "size_bytes": 1_048_576 }),
    }
}

#[derive(Debug, PartialEq, serde::Deserialize)]
struct VideoUploaded {
    title: String,
    size_bytes: u64,
}

#[test]
fn envelope_survives_a_round_trip_through_a_message() {
    for causation in [true, false] {
        let original = envelope(causation);
        let decoded = EventEnvelope::from_message(&original.to_message())
            .expect("a message built from an envelope parses back");
        assert_eq!(
            decoded, original,
            "every envelope field must survive the bus (causation present: {causation})"
        );
    }
}

#[test]
fn message_carries_the_event_id_and_the_type_and_correlation_headers() {
    let original = envelope(true);
    let message = original.to_message();
    assert_eq!(
        message.message_id,
        Some(original.id.to_string()),
        "the message id must be the event id, the key idempotent consumers use"
    );
    assert_eq!(
        message.content_type.as_deref(),
        Some("application/json"),
        "an envelope is published as JSON"
    );
    let header = |name: &str| message.headers.get(name).map(String::as_str);
    assert_eq!(
        header("event-type"),
        Some("VideoUploaded"),
        "event type header"
    );
    assert_eq!(
        header("correlation-id"),
        Some("req-9"),
        "correlation id header"
    );
}

#[test]
fn decode_reads_a_typed_payload() {
    let decoded: VideoUploaded = envelope(false).decode().expect("payload matches");
    let expected = VideoUploaded {
        title: "Intro".to_owned(),
        size_bytes: 1_048_576,
    };
    assert_eq!(
        decoded, expected,
        "the typed payload must carry the published values"
    );
}

#[test]
fn decode_error_names_the_event_type_and_schema_version() {
    let mut wrong = envelope(false);
    wrong.payload = json!({ "title": 17 });
    let error = wrong
        .decode::<VideoUploaded>()
        .expect_err("a number is not a title");
    assert!(
        matches!(&error, EnvelopeError::Payload { event_type, version: 2, .. } if event_type == "VideoUploaded"),
        "the error must carry the type and version, got {error:?}"
    );
    let text = error.to_string();
    assert!(
        text.contains("VideoUploaded v2"),
        "an operator reading the log must see which event failed, got: {text}"
    );
}

#[test]
fn a_body_that_is_not_an_envelope_is_reported_as_malformed() {
    let message = Message::json("evt-x", br#"{"event_type":"VideoUploaded"}"#.to_vec());
    let error = EventEnvelope::from_message(&message).expect_err("fields are missing");
    assert!(
        matches!(error, EnvelopeError::Malformed(_)),
        "an incomplete body must be malformed, got {error:?}"
    );
}
