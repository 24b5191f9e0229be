//! The in-memory cache backend: TTL expiry judged by the cache's clock,
//! set-if-absent, compare-then-delete/expire, and Redis-style atomic counters.

use std::sync::Arc;
use std::time::Duration;

use mediaflow_shared::cache::{Cache, CacheError, MemoryCache};
use mediaflow_tests::support::manual_clock;

#[tokio::test]
async fn cached_value_disappears_once_its_ttl_elapses_on_the_cache_clock() {
    let (clock, shared) = manual_clock();
    let cache = MemoryCache::new(shared);
    cache
        .set(
            "session:1",
            b"alice".to_vec(),
            Some(Duration::from_secs(10)),
        )
        .await
        .expect("set");

    clock.advance(Duration::from_millis(9_999));
    assert_eq!(
        cache.get("session:1").await.expect("get"),
        Some(b"alice".to_vec()),
        "a value must still be readable 1 ms before its TTL ends"
    );

    clock.advance(Duration::from_millis(1));
    assert_eq!(
        cache.get("session:1").await.expect("get"),
        None,
        "a value must be gone the instant its TTL ends"
    );
    assert!(cache.is_empty(), "an expired entry must not count as live");
}

#[tokio::test]
async fn value_without_ttl_stays_until_deleted() {
    let (clock, shared) = manual_clock();
    let cache = MemoryCache::new(shared);
    cache
        .set("config", b"v1".to_vec(), None)
        .await
        .expect("set");
    clock.advance(Duration::from_secs(365 * 24 * 3600));
    assert_eq!(
        cache.get("config").await.expect("get"),
        Some(b"v1".to_vec()),
        "a value stored without TTL must survive a year of clock time"
    );
    assert_eq!(
        cache.ttl("config").await.expect("ttl"),
        None,
        "a value without expiry has no remaining TTL to report"
    );
}

#[tokio::test]
async fn set_if_absent_keeps_the_first_value() {
    let (_clock, shared) = manual_clock();
    let cache = MemoryCache::new(shared);
    let first = cache
        .set_if_absent("lock:video-1", b"worker-a".to_vec(), None)
        .await
        .expect("first set_if_absent");
    let second = cache
        .set_if_absent("lock:video-1", b"worker-b".to_vec(), None)
        .await
        .expect("second set_if_absent");
    assert!(first, "the first set_if_absent on an empty key must store");
    assert!(
        !second,
        "a second set_if_absent must not overwrite a live value"
    );
    assert_eq!(
        cache.get("lock:video-1").await.expect("get"),
        Some(b"worker-a".to_vec()),
        "the first writer's value must remain"
    );
}

#[tokio::test]
async fn set_if_absent_stores_again_once_the_previous_value_expired() {
    let (clock, shared) = manual_clock();
    let cache = MemoryCache::new(shared);
    let ttl = Some(Duration::from_secs(5));
    assert!(
        cache
            .set_if_absent("k", b"old".to_vec(), ttl)
            .await
            .expect("first")
    );
    clock.advance(Duration::from_secs(5));
    assert!(
        cache
            .set_if_absent("k", b"new".to_vec(), ttl)
            .await
            .expect("second"),
        "an expired value must count as absent for set_if_absent"
    );
    assert_eq!(cache.get("k").await.expect("get"), Some(b"new".to_vec()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn incr_is_atomic_under_one_hundred_concurrent_tasks() {
    let (_clock, shared) = manual_clock();
    let cache = Arc::new(MemoryCache::new(shared));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let cache = Arc::clone(&cache);
            tokio::spawn(async move { cache.incr("views:video-1", 1, None).await })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.expect("task").expect("incr"));
    }
    results.sort_unstable();
    assert_eq!(
        results,
        (1..=100).collect::<Vec<i64>>(),
        "100 concurrent increments must each see a distinct count from 1 to 100"
    );
    assert_eq!(
        cache.get("views:video-1").await.expect("get"),
        Some(b"100".to_vec()),
        "the counter must be stored as decimal text, as Redis does"
    );
}

#[tokio::test]
async fn incr_keeps_the_ttl_of_an_existing_counter() {
    let (clock, shared) = manual_clock();
    let cache = MemoryCache::new(shared);
    cache
        .incr("rate:user-1", 1, Some(Duration::from_secs(60)))
        .await
        .expect("first incr");
    clock.advance(Duration::from_secs(40));
    cache
        .incr("rate:user-1", 1, Some(Duration::from_secs(60)))
        .await
        .expect("second incr");
    assert_eq!(
        cache.ttl("rate:user-1").await.expect("ttl"),
        Some(Duration::from_secs(20)),
        "a later incr must keep the window's original expiry, not restart it"
    );
    clock.advance(Duration::from_secs(20));
    assert_eq!(
        cache
            .incr("rate:user-1", 1, Some(Duration::from_secs(60)))
            .await,
        Ok(1),
        "once the window expired the counter must restart from zero"
    );
}

#[tokio::test]
async fn incr_on_text_fails_with_not_an_integer() {
    let (_clock, shared) = manual_clock();
    let cache = MemoryCache::new(shared);
    cache
        .set("title", b"Big Buck Bunny".to_vec(), None)
        .await
        .expect("set");
    cache
        .set("signed", b"+5".to_vec(), None)
        .await
        .expect("set");
    assert_eq!(
        cache.incr("title", 1, None).await,
        Err(CacheError::NotAnInteger("title".to_owned())),
        "incr on non-numeric text must fail rather than reset the value"
    );
    assert_eq!(
        cache.incr("signed", 1, None).await,
        Err(CacheError::NotAnInteger("signed".to_owned())),
        "only plain decimal integers count, as in Redis"
    );
    assert_eq!(
        cache.get("title").await.expect("get"),
        Some(b"Big Buck Bunny".to_vec()),
        "a failed incr must leave the value untouched"
    );
}

#[tokio::test]
async fn incr_refuses_to_overflow() {
    let (_clock, shared) = manual_clock();
    let cache = MemoryCache::new(shared);
    cache.incr("n", i64::MAX, None).await.expect("incr to max");
    assert!(
        cache.incr("n", 1, None).await.is_err(),
        "an increment past i64::MAX must fail instead of wrapping negative"
    );
    assert_eq!(
        cache.get("n").await.expect("get"),
        Some(i64::MAX.to_string().into_bytes())
    );
}

#[tokio::test]
async fn delete_reports_only_live_values() {
    let (clock, shared) = manual_clock();
    let cache = MemoryCache::new(shared);
    cache.set("a", b"1".to_vec(), None).await.expect("set a");
    cache
        .set("b", b"2".to_vec(), Some(Duration::from_secs(1)))
        .await
        .expect("set b");
    clock.advance(Duration::from_secs(1));
    assert!(
        cache.delete("a").await.expect("delete a"),
        "deleting a live value reports true"
    );
    assert!(
        !cache.delete("b").await.expect("delete b"),
        "deleting an already expired value must report that nothing live was removed"
    );
    assert!(
        !cache.delete("a").await.expect("delete a again"),
        "a second delete finds nothing"
    );
}

#[tokio::test]
async fn delete_if_equals_deletes_only_the_expected_live_value() {
    let (clock, shared) = manual_clock();
    let cache = MemoryCache::new(shared);
    cache
        .set("lease", b"a".to_vec(), Some(Duration::from_secs(10)))
        .await
        .expect("set");
    assert_eq!(
        cache.delete_if_equals("lease", b"b").await,
        Ok(false),
        "another value must not be deleted"
    );
    assert_eq!(
        cache.get("lease").await.expect("get"),
        Some(b"a".to_vec()),
        "a refused delete leaves the value"
    );
    assert_eq!(
        cache.delete_if_equals("lease", b"a").await,
        Ok(true),
        "the expected value is deleted"
    );
    assert_eq!(cache.get("lease").await.expect("get"), None);
    cache
        .set("lease", b"a".to_vec(), Some(Duration::from_secs(10)))
        .await
        .expect("set");
    clock.advance(Duration::from_secs(10));
    assert_eq!(
        cache.delete_if_equals("lease", b"a").await,
        Ok(false),
        "an expired value counts as absent"
    );
}

#[tokio::test]
async fn expire_if_equals_replaces_the_ttl_only_of_the_expected_live_value() {
    let (clock, shared) = manual_clock();
    let cache = MemoryCache::new(shared);
    cache
        .set("lease", b"a".to_vec(), Some(Duration::from_secs(10)))
        .await
        .expect("set");
    clock.advance(Duration::from_secs(8));
    assert_eq!(
        cache
            .expire_if_equals("lease", b"b", Duration::from_secs(30))
            .await,
        Ok(false),
        "another value's TTL must not change"
    );
    assert_eq!(
        cache.ttl("lease").await.expect("ttl"),
        Some(Duration::from_secs(2))
    );
    assert_eq!(
        cache
            .expire_if_equals("lease", b"a", Duration::from_secs(30))
            .await,
        Ok(true),
        "the expected value gets the new TTL"
    );
    assert_eq!(
        cache.ttl("lease").await.expect("ttl"),
        Some(Duration::from_secs(30)),
        "the new TTL counts from now"
    );
    clock.advance(Duration::from_secs(30));
    assert_eq!(
        cache
            .expire_if_equals("lease", b"a", Duration::from_secs(30))
            .await,
        Ok(false),
        "an expired value cannot be revived"
    );
    assert_eq!(cache.get("lease").await.expect("get"), None);
}

#[tokio::test]
async fn purge_expired_drops_expired_entries_and_keeps_live_ones() {
    let (clock, shared) = manual_clock();
    let cache = MemoryCache::new(shared);
    for i in 0..3 {
        let key = format!("short:{i}");
        cache
            .set(&key, b"x".to_vec(), Some(Duration::from_secs(1)))
            .await
            .expect("set");
    }
    cache
        .set("long", b"y".to_vec(), Some(Duration::from_secs(60)))
        .await
        .expect("set");
    clock.advance(Duration::from_secs(2));
    assert_eq!(
        cache.purge_expired(),
        3,
        "exactly the three short-lived entries must be purged"
    );
    assert_eq!(cache.len(), 1, "the long-lived entry must remain");
    assert_eq!(
        cache.stats().expired,
        3,
        "purged entries must be counted as expired"
    );
}

#[tokio::test]
async fn a_ttl_counts_in_whole_milliseconds_rounded_up_as_on_redis() {
    let (clock, shared) = manual_clock();
    let cache = MemoryCache::new(shared);
    cache
        .set("k", b"v".to_vec(), Some(Duration::from_micros(1_500)))
        .await
        .expect("set");
    assert_eq!(
        cache.ttl("k").await,
        Ok(Some(Duration::from_millis(2))),
        "1.5 ms is stored as 2 ms, as the Redis backend sends PX 2"
    );
    clock.advance(Duration::from_micros(1_999));
    assert_eq!(cache.get("k").await, Ok(Some(b"v".to_vec())));
    clock.advance(Duration::from_micros(1));
    assert_eq!(cache.get("k").await, Ok(None));
}
