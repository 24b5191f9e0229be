//! The JSON shape of a serialised event envelope: the field names and types every
//! service (and any non-Rust consumer) depends on.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use mediaflow_shared::events::{EventEnvelope, EventId};
use mediaflow_shared::ids::IdGenerator;
use mediaflow_tests::support::manual_clock;
use serde_json::{Value, json};

fn envelope(causation: bool) -> EventEnvelope {
    let ids = IdGenerator::seeded(3);
    let (_clock, shared) = manual_clock();
    EventEnvelope {
        id: EventId(ids.uuid()),
        event_type: "SubscriptionChanged".to_owned(),
        aggregate_id: "sub-7".to_owned(),
        sequence: 12,
        occurred_at: shared.now(),
        schema_version: 1,
        correlation_id: "req-abc".to_owned(),
        causation_id: causation.then(|| EventId(ids.uuid())),
        payload: json!({ "plan": "premium", "currency": "EUR" }),
    }
}

fn serialised(envelope: &EventEnvelope) -> serde_json::Map<String, Value> {
    match serde_json::to_value(envelope).expect("an envelope serialises") {
        Value::Object(fields) => fields,
        other => panic!("an envelope must serialise to a JSON object, got {other}"),
    }
}

fn is_hyphenated_uuid(text: &str) -> bool {
    let groups: Vec<usize> = text.split('-').map(str::len).collect();
    groups == [8, 4, 4, 4, 12] && text.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
}

#[test]
fn serialised_envelope_has_exactly_the_agreed_field_names() {
    let fields = serialised(&envelope(true));
    let names: BTreeSet<&str> = fields.keys().map(String::as_str).collect();
    let agreed: BTreeSet<&str> = [
        "id",
        "event_type",
        "aggregate_id",
        "sequence",
        "occurred_at",
        "schema_version",
        "correlation_id",
        "causation_id",
        "payload",
    ]
    .into_iter()
    .collect();
    assert_eq!(
        names, agreed,
        "renaming or adding an envelope field breaks every consumer"
    );
}

#[test]
fn serialised_envelope_fields_have_the_agreed_types() {
    let original = envelope(true);
    let fields = serialised(&original);
    let text = |name: &str| fields[name].as_str().unwrap_or_default().to_owned();
    assert!(
        is_hyphenated_uuid(&text("id")),
        "id must be a hyphenated UUID string, got {}",
        fields["id"]
    );
    assert!(
        is_hyphenated_uuid(&text("causation_id")),
        "causation_id must be a hyphenated UUID string, got {}",
        fields["causation_id"]
    );
    assert_eq!(
        fields["event_type"],
        json!("SubscriptionChanged"),
        "event_type is a string"
    );
    assert_eq!(
        fields["aggregate_id"],
        json!("sub-7"),
        "aggregate_id is a string"
    );
    assert_eq!(
        fields["sequence"].as_u64(),
        Some(12),
        "sequence is an unsigned integer"
    );
    assert_eq!(
        fields["schema_version"].as_u64(),
        Some(1),
        "schema_version is an unsigned integer"
    );
    assert_eq!(
        fields["correlation_id"],
        json!("req-abc"),
        "correlation_id is a string"
    );
    assert!(
        fields["payload"].is_object(),
        "payload is embedded JSON, not a string"
    );

    let occurred_at = text("occurred_at");
    let parsed = DateTime::parse_from_rfc3339(&occurred_at)
        .unwrap_or_else(|error| panic!("occurred_at must be RFC 3339, got {occurred_at}: {error}"));
    assert_eq!(
        parsed.offset().local_minus_utc(),
        0,
        "occurred_at must be written in UTC"
    );
    assert_eq!(
        parsed.with_timezone(&Utc),
        original.occurred_at,
        "occurred_at keeps the instant"
    );
}

#[test]
fn causation_id_is_omitted_rather_than_null_when_absent() {
    let fields = serialised(&envelope(false));
    assert!(
        !fields.contains_key("causation_id"),
        "a root event must omit causation_id, got {:?}",
        fields.get("causation_id")
    );
}

#[test]
fn an_envelope_written_by_another_producer_parses() {
    let foreign = json!({
        "id": "5f0c6c1e-8d2a-4b7e-9c1d-2e3f4a5b6c7d",
        "event_type": "ViewRecorded",
        "aggregate_id": "video-9",
        "sequence": 1,
        "occurred_at": "2026-01-01T01:30:00+01:00",
        "schema_version": 2,
        "correlation_id": "req-1",
        "payload": { "seconds": 42 }
    });
    let parsed: EventEnvelope =
        serde_json::from_value(foreign).expect("a conforming producer's envelope must parse");
    assert_eq!(
        parsed.causation_id, None,
        "a missing causation_id means none"
    );
    assert_eq!(
        parsed.id.to_string(),
        "5f0c6c1e-8d2a-4b7e-9c1d-2e3f4a5b6c7d",
        "id"
    );
    let expected: DateTime<Utc> = "2026-01-01T00:30:00Z".parse().expect("valid instant");
    assert_eq!(
        parsed.occurred_at, expected,
        "an offset timestamp is normalised to UTC"
    );
    assert_eq!(
        parsed.payload,
        json!({ "seconds": 42 }),
        "payload is kept as JSON"
    );
}
