//! The ordered projection: per-aggregate sequencing with a bounded buffer for
//! early arrivals, duplicate detection and gap reporting.

use mediaflow_shared::clock::{Clock, ManualClock};
use mediaflow_shared::event_store::{Gap, Offer, OrderedProjection, ProjectionError};
use mediaflow_shared::events::{EventEnvelope, EventId};
use mediaflow_shared::ids::IdGenerator;
use serde_json::json;

fn event(aggregate: &str, sequence: u64) -> EventEnvelope {
    let ids = IdGenerator::seeded(sequence);
    EventEnvelope {
        id: EventId(ids.uuid()),
        event_type: "VideoRetitled".into(),
        aggregate_id: aggregate.into(),
        sequence,
        occurred_at: ManualClock::at_epoch().now(),
        schema_version: 1,
        correlation_id: "req-1".into(),
        causation_id: None,
        payload: json!({ "sequence": sequence }),
    }
}

fn sequences(offer: &Offer) -> Vec<u64> {
    match offer {
        Offer::Ready(events) => events.iter().map(|e| e.sequence).collect(),
        other => panic!("expected events ready to apply, got {other:?}"),
    }
}

#[test]
fn events_in_order_are_ready_one_at_a_time() {
    let mut projection = OrderedProjection::new(4);
    for sequence in 1..=3 {
        let offer = projection
            .offer(event("v1", sequence))
            .expect("in-order events are accepted");
        assert_eq!(
            sequences(&offer),
            vec![sequence],
            "event {sequence} arriving in order must be applied alone"
        );
    }
    assert_eq!(
        projection.next_expected("v1"),
        4,
        "after three events the projection must wait for 4"
    );
    assert!(
        projection.gaps().is_empty(),
        "in-order delivery must leave no gap"
    );
}

#[test]
fn an_early_event_is_buffered_then_released_with_its_successors() {
    let mut projection = OrderedProjection::new(4);
    assert_eq!(
        sequences(&projection.offer(event("v1", 1)).expect("ok")),
        vec![1],
        "event 1 applies at once"
    );
    assert_eq!(
        projection.offer(event("v1", 3)).expect("ok"),
        Offer::Buffered,
        "event 3 must wait for 2"
    );
    assert_eq!(
        projection.offer(event("v1", 4)).expect("ok"),
        Offer::Buffered,
        "event 4 must wait for 2"
    );
    let released = projection.offer(event("v1", 2)).expect("ok");
    assert_eq!(
        sequences(&released),
        vec![2, 3, 4],
        "event 2 must release 3 and 4 behind it, in order"
    );
    assert_eq!(
        projection.buffered_len(),
        0,
        "nothing may stay buffered once the gap is filled"
    );
    assert_eq!(
        projection.next_expected("v1"),
        5,
        "the projection must now wait for 5"
    );
}

#[test]
fn an_already_applied_event_is_a_duplicate() {
    let mut projection = OrderedProjection::new(4);
    projection.offer(event("v1", 1)).expect("ok");
    projection.offer(event("v1", 2)).expect("ok");
    assert_eq!(
        projection.offer(event("v1", 1)).expect("ok"),
        Offer::Duplicate,
        "a redelivered event 1 must be ignored"
    );
    assert_eq!(
        projection.next_expected("v1"),
        3,
        "a duplicate must not move the position"
    );
}

#[test]
fn an_already_buffered_event_is_a_duplicate() {
    let mut projection = OrderedProjection::new(4);
    assert_eq!(
        projection.offer(event("v1", 3)).expect("ok"),
        Offer::Buffered,
        "event 3 waits for 1 and 2"
    );
    assert_eq!(
        projection.offer(event("v1", 3)).expect("ok"),
        Offer::Duplicate,
        "a second copy of 3 must be ignored"
    );
    assert_eq!(
        projection.buffered_len(),
        1,
        "the buffer must hold one copy of event 3"
    );
}

#[test]
fn aggregates_are_ordered_independently() {
    let mut projection = OrderedProjection::new(4);
    assert_eq!(
        projection.offer(event("v1", 2)).expect("ok"),
        Offer::Buffered,
        "v1's event 2 waits for its 1"
    );
    let other = projection.offer(event("v2", 1)).expect("ok");
    assert_eq!(
        sequences(&other),
        vec![1],
        "v2's first event must not wait for v1's gap"
    );
}

#[test]
fn gaps_report_the_missing_and_first_buffered_sequence_sorted_by_aggregate() {
    let mut projection = OrderedProjection::new(4);
    projection.offer(event("v2", 1)).expect("ok");
    projection.offer(event("v2", 5)).expect("ok");
    projection.offer(event("v2", 3)).expect("ok");
    projection.offer(event("v1", 4)).expect("ok");
    projection.offer(event("v3", 1)).expect("ok");
    assert_eq!(
        projection.gaps(),
        vec![
            Gap {
                aggregate_id: "v1".into(),
                expected: 1,
                buffered_from: 4
            },
            Gap {
                aggregate_id: "v2".into(),
                expected: 2,
                buffered_from: 3
            },
        ],
        "each stuck aggregate must be reported with the sequence it waits for and its earliest buffered event; \
         v3 has no gap"
    );
}

#[test]
fn an_overflowing_buffer_is_an_error_naming_the_aggregate() {
    let mut projection = OrderedProjection::new(2);
    projection
        .offer(event("video-9", 2))
        .expect("first early event fits");
    projection
        .offer(event("video-9", 3))
        .expect("second early event fits");
    let overflow = projection.offer(event("video-9", 4));
    assert_eq!(
        overflow,
        Err(ProjectionError::BufferFull {
            aggregate_id: "video-9".into(),
            capacity: 2,
            expected: 1
        }),
        "a third early event with room for two must fail and name the aggregate"
    );
    let message = overflow.expect_err("overflow").to_string();
    assert!(
        message.contains("video-9"),
        "the error message must name the aggregate: {message}"
    );
}

#[test]
fn resume_continues_after_the_last_applied_sequence() {
    let mut projection = OrderedProjection::new(4);
    assert_eq!(
        projection.offer(event("v1", 12)).expect("ok"),
        Offer::Buffered,
        "before resume, 12 waits for 1"
    );
    let released = projection.resume("v1", 11);
    let released: Vec<u64> = released.iter().map(|e| e.sequence).collect();
    assert_eq!(
        released,
        vec![12],
        "resuming after 11 must release the buffered 12"
    );
    assert_eq!(
        projection.offer(event("v1", 11)).expect("ok"),
        Offer::Duplicate,
        "11 was applied before the restart"
    );
    assert_eq!(
        sequences(&projection.offer(event("v1", 13)).expect("ok")),
        vec![13],
        "13 follows at once"
    );
}

#[test]
fn a_zero_sequence_is_rejected() {
    let mut projection = OrderedProjection::new(4);
    assert_eq!(
        projection.offer(event("v1", 0)),
        Err(ProjectionError::InvalidSequence {
            aggregate_id: "v1".into()
        }),
        "sequences start at 1, so 0 must be reported as a producer bug"
    );
}
