//! Bulkhead: bounded concurrency with a bounded queue.

use mediaflow_shared::resilience::Bulkhead;

#[tokio::test]
async fn bulkhead_admits_up_to_its_limit_then_queues_then_refuses() {
    let bulkhead = Bulkhead::new("transcode", 2, 1);
    let a = bulkhead.acquire().await.expect("first slot");
    let _b = bulkhead.acquire().await.expect("second slot");
    assert_eq!(bulkhead.in_flight(), 2);

    let queued = tokio::spawn({
        let bulkhead = bulkhead.clone();
        async move { bulkhead.acquire().await.map(|_| ()) }
    });
    while bulkhead.queued() == 0 {
        tokio::task::yield_now().await;
    }
    let refused = bulkhead.acquire().await;
    assert!(
        refused.is_err(),
        "with both slots busy and the one queue place taken, a fourth call must be shed"
    );
    drop(a);
    assert!(
        queued.await.expect("task").is_ok(),
        "the queued call must run once a slot frees"
    );
    assert_eq!(bulkhead.queued(), 0, "the queue place is released");
}

#[tokio::test]
async fn bulkhead_slots_are_returned_on_drop() {
    let bulkhead = Bulkhead::new("db", 1, 0);
    for round in 0..3 {
        let permit = bulkhead.acquire().await;
        assert!(
            permit.is_ok(),
            "round {round}: the slot must have been returned"
        );
    }
}
