//! The read-through layer over the memory cache: hits and misses, errors never
//! cached, seeded TTL jitter, stale-while-revalidate, invalidation, and falling back
//! to the loader when the cache is down.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use mediaflow_shared::cache::{
    Cache, MemoryCache, ReadThrough, ReadThroughError, ReadThroughPolicy,
};
use mediaflow_shared::clock::ManualClock;
use mediaflow_tests::support::doubles::DownCache;
use mediaflow_tests::support::manual_clock;
use tokio::sync::Notify;

fn policy(ttl_secs: u64, jitter: f64, swr_secs: u64) -> ReadThroughPolicy {
    ReadThroughPolicy {
        ttl: Duration::from_secs(ttl_secs),
        jitter,
        stale_while_revalidate: Duration::from_secs(swr_secs),
    }
}

fn layer(
    policy: ReadThroughPolicy,
    seed: u64,
) -> (Arc<ManualClock>, Arc<MemoryCache>, Arc<ReadThrough>) {
    let (clock, shared) = manual_clock();
    let cache = Arc::new(MemoryCache::new(shared.clone()));
    let layer = ReadThrough::new(cache.clone(), shared, policy, seed);
    (clock, cache, Arc::new(layer))
}

/// Yields to the runtime until `done` holds (bounded, so a bug fails instead of hanging).
async fn until(done: impl Fn() -> bool) {
    for _ in 0..1_000 {
        if done() {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("the awaited condition never became true");
}

#[tokio::test]
async fn first_call_loads_and_the_next_call_is_a_hit() {
    let (_clock, _cache, layer) = layer(policy(60, 0.0, 0), 1);
    let calls = AtomicUsize::new(0);
    let load = || async {
        calls.fetch_add(1, Ordering::SeqCst);
        Ok::<_, String>(vec!["Big Buck Bunny".to_owned()])
    };
    let first = layer
        .get_or_load("catalog:home", load)
        .await
        .expect("first call");
    let second = layer
        .get_or_load("catalog:home", load)
        .await
        .expect("second call");
    assert_eq!(first, second, "a hit must return what the load returned");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the second call must be served from the cache"
    );
    let stats = layer.stats();
    assert_eq!(
        (stats.misses, stats.hits, stats.loads),
        (1, 1, 1),
        "one miss, one hit, one load"
    );
}

#[tokio::test]
async fn loader_error_is_not_cached_and_the_next_call_retries() {
    let (_clock, _cache, layer) = layer(policy(60, 0.0, 0), 1);
    let failed = layer
        .get_or_load("video:1", || async {
            Err::<u32, _>("database down".to_owned())
        })
        .await;
    assert_eq!(
        failed,
        Err(ReadThroughError::Load("database down".to_owned())),
        "the loader's error must reach the caller"
    );
    let loaded = layer
        .get_or_load("video:1", || async { Ok::<u32, String>(7) })
        .await;
    assert_eq!(
        loaded,
        Ok(7),
        "after a failure the next call must run the loader again"
    );
    assert_eq!(
        layer.stats().loads,
        2,
        "both calls must have invoked a loader"
    );
}

#[tokio::test]
async fn values_are_stored_in_the_cache_as_json() {
    let (_clock, cache, layer) = layer(policy(60, 0.0, 0), 1);
    layer
        .get_or_load("video:1", || async { Ok::<_, String>(vec![1_u32, 2, 3]) })
        .await
        .expect("load");
    let raw = cache
        .get("video:1")
        .await
        .expect("get")
        .expect("value cached");
    let json: serde_json::Value = serde_json::from_slice(&raw).expect("cached bytes are JSON");
    assert_eq!(
        json["value"],
        serde_json::json!([1, 2, 3]),
        "the loaded value must be the JSON payload"
    );
}

async fn expiries(seed: u64) -> Vec<Duration> {
    let (_clock, cache, layer) = layer(policy(60, 0.2, 0), seed);
    let mut ttls = Vec::new();
    for i in 0..100 {
        let key = format!("video:{i}");
        layer
            .get_or_load(&key, || async { Ok::<_, String>(i) })
            .await
            .expect("load");
        ttls.push(
            cache
                .ttl(&key)
                .await
                .expect("ttl")
                .expect("jittered ttl set"),
        );
    }
    ttls
}

#[tokio::test]
async fn jitter_spreads_the_expiries_of_keys_written_together() {
    let ttls = expiries(42).await;
    let mut distinct = ttls.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert!(
        distinct.len() > 90,
        "100 keys written at one instant must get spread-out TTLs, got {} distinct",
        distinct.len()
    );
    let (low, high) = (Duration::from_secs(48), Duration::from_secs(72));
    assert!(
        ttls.iter().all(|ttl| (low..=high).contains(ttl)),
        "every TTL must lie within 60 s ± 20 %: {ttls:?}"
    );
    let early = ttls
        .iter()
        .filter(|ttl| **ttl < Duration::from_secs(60))
        .count();
    assert!(
        (20..=80).contains(&early),
        "jitter must go both ways around the nominal TTL; {early} of 100 were shorter"
    );
}

#[tokio::test]
async fn jitter_is_reproducible_from_its_seed() {
    assert_eq!(
        expiries(7).await,
        expiries(7).await,
        "the same seed must spread expiries identically"
    );
    assert_ne!(
        expiries(7).await,
        expiries(8).await,
        "another seed must spread them differently"
    );
}

#[tokio::test]
async fn keys_written_together_do_not_all_expire_at_the_nominal_ttl() {
    let (clock, _cache, layer) = layer(policy(60, 0.2, 0), 3);
    let loads = AtomicUsize::new(0);
    for i in 0..100 {
        let key = format!("video:{i}");
        layer
            .get_or_load(&key, || async { Ok::<_, String>(i) })
            .await
            .expect("load");
    }
    clock.advance(Duration::from_secs(60));
    for i in 0..100 {
        let key = format!("video:{i}");
        layer
            .get_or_load(&key, || async {
                loads.fetch_add(1, Ordering::SeqCst);
                Ok::<_, String>(i)
            })
            .await
            .expect("reload");
    }
    let reloaded = loads.load(Ordering::SeqCst);
    assert!(
        reloaded > 0 && reloaded < 100,
        "at the nominal TTL only part of the keys may have expired, but {reloaded} of 100 reloaded"
    );
}

#[tokio::test]
async fn keys_filled_at_one_instant_expire_one_after_another_within_the_jitter_bound() {
    let (clock, _cache, layer) = layer(policy(60, 0.2, 0), 11);
    let keys: Vec<String> = (0..40).map(|i| format!("video:{i}")).collect();
    for (i, key) in keys.iter().enumerate() {
        layer
            .get_or_load(key, || async move { Ok::<_, String>(i) })
            .await
            .expect("load");
    }
    // Step through time one second at a time and note when each key first needs
    // its loader again.
    let mut expired_after = vec![None; keys.len()];
    for second in 1..=80_u64 {
        clock.advance(Duration::from_secs(1));
        for (i, key) in keys.iter().enumerate() {
            if expired_after[i].is_some() {
                continue;
            }
            let reloaded = AtomicBool::new(false);
            layer
                .get_or_load(key, || async {
                    reloaded.store(true, Ordering::SeqCst);
                    Ok::<_, String>(i)
                })
                .await
                .expect("read");
            if reloaded.load(Ordering::SeqCst) {
                expired_after[i] = Some(second);
            }
        }
    }
    let expired_after: Vec<u64> = expired_after
        .into_iter()
        .map(|second| second.expect("every key must expire within 80 s of a 60 s ttl"))
        .collect();
    assert!(
        expired_after.iter().all(|s| (48..=72).contains(s)),
        "each key must stay fresh for 60 s ± 20 %, got expiries after {expired_after:?} s"
    );
    let mut instants = expired_after;
    instants.sort_unstable();
    instants.dedup();
    assert!(
        instants.len() >= 10,
        "40 keys filled at one instant must expire at spread-out instants, not together; \
         they expired after {instants:?} s"
    );
}

#[tokio::test]
async fn stale_value_is_served_at_once_while_one_caller_reloads() {
    let (clock, _cache, layer) = layer(policy(10, 0.0, 30), 1);
    layer
        .get_or_load("home", || async { Ok::<_, String>("v1".to_owned()) })
        .await
        .expect("load");
    clock.advance(Duration::from_secs(15));

    let gate = Arc::new(Notify::new());
    let started = Arc::new(AtomicBool::new(false));
    let refresher = tokio::spawn({
        let (layer, gate, started) = (layer.clone(), gate.clone(), started.clone());
        async move {
            layer
                .get_or_load("home", || async move {
                    started.store(true, Ordering::SeqCst);
                    gate.notified().await;
                    Ok::<_, String>("v2".to_owned())
                })
                .await
        }
    });
    until(|| started.load(Ordering::SeqCst)).await;

    let unused = AtomicUsize::new(0);
    for _ in 0..3 {
        let read = layer.get_or_load("home", || async {
            unused.fetch_add(1, Ordering::SeqCst);
            Ok::<_, String>("other".to_owned())
        });
        let value = tokio::time::timeout(Duration::from_secs(2), read)
            .await
            .expect("a caller finding a stale value must not wait for the reload");
        assert_eq!(
            value,
            Ok("v1".to_owned()),
            "while a reload runs, callers must get the stale value"
        );
    }
    assert_eq!(
        unused.load(Ordering::SeqCst),
        0,
        "only one caller may reload a stale key"
    );

    gate.notify_one();
    assert_eq!(
        refresher.await.expect("refresher task"),
        Ok("v2".to_owned()),
        "the reloading caller must get the new value"
    );
    let after = layer
        .get_or_load("home", || async { Ok::<_, String>("v3".to_owned()) })
        .await;
    assert_eq!(
        after,
        Ok("v2".to_owned()),
        "after the reload the new value must be fresh in the cache"
    );
    let stats = layer.stats();
    assert_eq!(
        (stats.loads, stats.stale_served),
        (2, 3),
        "two loads in all, three stale answers"
    );
}

#[tokio::test]
async fn failed_reload_of_a_stale_value_serves_the_stale_value() {
    let (clock, _cache, layer) = layer(policy(10, 0.0, 30), 1);
    layer
        .get_or_load("home", || async { Ok::<_, String>(1_u8) })
        .await
        .expect("load");
    clock.advance(Duration::from_secs(11));
    let value = layer
        .get_or_load("home", || async { Err::<u8, _>("timeout".to_owned()) })
        .await;
    assert_eq!(
        value,
        Ok(1),
        "within the stale window a failed reload must fall back to the stale value"
    );
    assert_eq!(
        layer.stats().refresh_failures,
        1,
        "the failed reload must be counted"
    );
    let retried = layer
        .get_or_load("home", || async { Ok::<_, String>(2_u8) })
        .await;
    assert_eq!(
        retried,
        Ok(2),
        "the failure must not be cached: the next call reloads"
    );
}

#[tokio::test]
async fn past_the_stale_window_a_caller_waits_for_the_reload() {
    let (clock, _cache, layer) = layer(policy(10, 0.0, 5), 1);
    layer
        .get_or_load("home", || async { Ok::<_, String>(1_u8) })
        .await
        .expect("load");
    clock.advance(Duration::from_secs(15));
    let value = layer
        .get_or_load("home", || async { Ok::<_, String>(2_u8) })
        .await;
    assert_eq!(
        value,
        Ok(2),
        "a value past its stale window must never be served"
    );
    assert_eq!(
        layer.stats().stale_served,
        0,
        "nothing stale may have been served"
    );
}

#[tokio::test]
async fn invalidate_makes_the_next_call_reload() {
    let (_clock, _cache, layer) = layer(policy(60, 0.0, 30), 1);
    layer
        .get_or_load("video:1", || async { Ok::<_, String>("draft".to_owned()) })
        .await
        .expect("load");
    assert_eq!(
        layer.invalidate("video:1").await,
        Ok(true),
        "invalidate must remove the cached value"
    );
    let value = layer
        .get_or_load("video:1", || async {
            Ok::<_, String>("published".to_owned())
        })
        .await;
    assert_eq!(
        value,
        Ok("published".to_owned()),
        "after invalidation the new state must be loaded"
    );
}

#[tokio::test]
async fn invalidate_during_a_load_keeps_the_outdated_result_out_of_the_cache() {
    let (_clock, _cache, layer) = layer(policy(60, 0.0, 0), 1);
    let gate = Arc::new(Notify::new());
    let started = Arc::new(AtomicBool::new(false));
    let loading = tokio::spawn({
        let (layer, gate, started) = (layer.clone(), gate.clone(), started.clone());
        async move {
            layer
                .get_or_load("video:1", || async move {
                    started.store(true, Ordering::SeqCst);
                    gate.notified().await;
                    Ok::<_, String>("draft".to_owned())
                })
                .await
        }
    });
    until(|| started.load(Ordering::SeqCst)).await;
    layer.invalidate("video:1").await.expect("invalidate");
    gate.notify_one();
    assert_eq!(
        loading.await.expect("task"),
        Ok("draft".to_owned()),
        "the caller still gets its load"
    );
    let value = layer
        .get_or_load("video:1", || async {
            Ok::<_, String>("published".to_owned())
        })
        .await;
    assert_eq!(
        value,
        Ok("published".to_owned()),
        "a load that began before an invalidation must not repopulate the cache"
    );
}

#[tokio::test]
async fn waiters_take_over_when_the_loading_caller_is_cancelled() {
    let (_clock, _cache, layer) = layer(policy(60, 0.0, 0), 1);
    let started = Arc::new(AtomicBool::new(false));
    let leader = tokio::spawn({
        let (layer, started) = (layer.clone(), started.clone());
        async move {
            layer
                .get_or_load("video:1", || async move {
                    started.store(true, Ordering::SeqCst);
                    std::future::pending::<Result<u32, String>>().await
                })
                .await
        }
    });
    until(|| started.load(Ordering::SeqCst)).await;
    let waiter = tokio::spawn({
        let layer = layer.clone();
        async move {
            layer
                .get_or_load("video:1", || async { Ok::<_, String>(5_u32) })
                .await
        }
    });
    until(|| layer.stats().misses == 2).await;
    leader.abort();
    let value = tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .expect("a waiter must not hang when the loading caller is cancelled")
        .expect("waiter task");
    assert_eq!(
        value,
        Ok(5),
        "the waiter must load the value itself once the leader is gone"
    );
    assert_eq!(
        layer.stats().loads,
        2,
        "the cancelled load and the waiter's own load"
    );
}

#[tokio::test]
async fn a_cache_outage_falls_back_to_the_loader() {
    let (_clock, shared) = manual_clock();
    let layer = ReadThrough::new(Arc::new(DownCache), shared, policy(60, 0.1, 0), 1);
    let value = layer
        .get_or_load("video:1", || async { Ok::<_, String>(9_u8) })
        .await;
    assert_eq!(
        value,
        Ok(9),
        "an unreachable cache must not fail reads that the loader can answer"
    );
    assert!(
        layer.stats().cache_errors >= 2,
        "the failed cache read and write must be counted"
    );
}
