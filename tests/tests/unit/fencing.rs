//! The storage-side fence: tokens equal to or above the highest seen pass and are
//! recorded; lower tokens (a writer whose lease lapsed) are rejected.

use mediaflow_shared::lock::{Fence, FencingToken, StaleToken};

#[test]
fn fence_accepts_the_first_token_it_sees() {
    let fence = Fence::new();
    assert_eq!(
        fence.check("video:1", FencingToken(5)),
        Ok(()),
        "a first write must pass"
    );
    assert_eq!(
        fence.highest("video:1"),
        Some(FencingToken(5)),
        "the token must be recorded"
    );
}

#[test]
fn fence_accepts_the_same_token_again() {
    let fence = Fence::new();
    fence
        .check("video:1", FencingToken(5))
        .expect("first write");
    assert_eq!(
        fence.check("video:1", FencingToken(5)),
        Ok(()),
        "one lease holder writing twice with its token must pass"
    );
}

#[test]
fn fence_accepts_a_higher_token_and_raises_the_bar() {
    let fence = Fence::new();
    fence
        .check("video:1", FencingToken(5))
        .expect("first write");
    assert_eq!(
        fence.check("video:1", FencingToken(9)),
        Ok(()),
        "a newer lease must pass"
    );
    assert_eq!(
        fence.highest("video:1"),
        Some(FencingToken(9)),
        "the highest token must move up"
    );
}

#[test]
fn fence_rejects_a_stale_token_with_the_details() {
    let fence = Fence::new();
    fence
        .check("video:1", FencingToken(34))
        .expect("new holder's write");
    assert_eq!(
        fence.check("video:1", FencingToken(33)),
        Err(StaleToken {
            resource: "video:1".to_owned(),
            presented: FencingToken(33),
            highest: FencingToken(34),
        }),
        "a writer whose lease lapsed (token 33) must be rejected after token 34 wrote"
    );
    assert_eq!(
        fence.highest("video:1"),
        Some(FencingToken(34)),
        "a rejected token must not lower the bar"
    );
}

#[test]
fn fence_tracks_each_resource_separately() {
    let fence = Fence::new();
    fence
        .check("video:1", FencingToken(100))
        .expect("write to video:1");
    assert_eq!(
        fence.check("video:2", FencingToken(3)),
        Ok(()),
        "a high token on one resource must not fence writes to another"
    );
}

#[test]
fn stale_token_message_tells_the_writer_to_reacquire() {
    let error = StaleToken {
        resource: "invoice:7".to_owned(),
        presented: FencingToken(1),
        highest: FencingToken(2),
    };
    let message = error.to_string();
    assert!(
        message.contains("stale fencing token 1") && message.contains("acquire the lock again"),
        "the message must name the stale token and the fix, got: {message}"
    );
}
