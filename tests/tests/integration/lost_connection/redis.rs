//! Redis: the cache drops its multiplexed connection when the server goes and
//! opens a new one on the next call; a retry wrapper around a call made during
//! the outage succeeds once the server is back.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use mediaflow_shared::cache::{Cache, CacheError, RedisCache, RedisSettings};
use mediaflow_shared::clock::SystemClock;
use mediaflow_shared::resilience::{Idempotency, Jitter, Retry, RetryPolicy};

use super::outage::{assert_names_url, fails_in_time, report, succeeds_in_time};
use super::server::{Backend, PrivateServer};

fn cache_on(server: &PrivateServer) -> (RedisCache, String) {
    let settings = RedisSettings::from_url(server.url()).expect("the script prints a Redis URL");
    let url = settings.redacted_url().to_owned();
    (RedisCache::new(settings), url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_redis_fails_the_next_call_naming_the_url_and_the_cache_reconnects_after_a_restart()
 {
    let Some(server) = PrivateServer::start(Backend::Redis).await else {
        return;
    };
    let (cache, url) = cache_on(&server);
    cache
        .set("before", b"1".to_vec(), None)
        .await
        .expect("a call while the server runs");

    server.stop().await;
    let (error, error_after) = fails_in_time("Redis GET", cache.get("before")).await;
    assert!(matches!(error, CacheError::Unavailable(_)), "{error:?}");
    assert_names_url(&error.to_string(), &url);

    let restart = server.restart().await;
    let ((), recovered) = succeeds_in_time(
        "Redis SET",
        cache.set("after", b"2".to_vec(), Some(Duration::from_secs(60))),
    )
    .await;
    assert_eq!(
        cache.get("after").await,
        Ok(Some(b"2".to_vec())),
        "the value written after the restart reads back"
    );
    report("redis", error_after, restart, recovered);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_cache_call_during_an_outage_succeeds_once_redis_is_back() {
    let Some(server) = PrivateServer::start(Backend::Redis).await else {
        return;
    };
    let (cache, _) = cache_on(&server);
    cache
        .set("k", b"1".to_vec(), None)
        .await
        .expect("a call while the server runs");
    server.stop().await;

    let server = Arc::new(server);
    let restarting = tokio::spawn({
        let server = Arc::clone(&server);
        async move {
            tokio::time::sleep(Duration::from_secs(1)).await;
            server.restart().await
        }
    });
    // Up to ~10 s of retries: 0.1, 0.2, 0.4, then 0.5 s apart.
    let policy = RetryPolicy {
        max_attempts: 25,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_millis(500),
        multiplier: 2,
        jitter: Jitter::None,
    };
    let retry = Retry::new(policy, SystemClock::shared(), 7);
    let attempts = AtomicU32::new(0);
    let outcome = tokio::time::timeout(
        Duration::from_secs(20),
        retry.run(
            Idempotency::Idempotent,
            |attempt| {
                attempts.store(attempt, Ordering::SeqCst);
                cache.set("k", b"2".to_vec(), None)
            },
            |error| matches!(error, CacheError::Unavailable(_)),
        ),
    )
    .await
    .expect("the retried call ends, never hangs");
    restarting.await.expect("the restart task");

    assert_eq!(
        outcome,
        Ok(()),
        "the retried SET succeeds once the server is back"
    );
    let attempts = attempts.load(Ordering::SeqCst);
    assert!(
        attempts > 1,
        "the first attempts fail while the server is down (attempts: {attempts})"
    );
    assert_eq!(cache.get("k").await, Ok(Some(b"2".to_vec())));
    eprintln!("redis: the retried SET succeeded on attempt {attempts}");
}
