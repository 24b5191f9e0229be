//! A server that stops answering without closing its connections (frozen, as
//! behind a network partition): the next call fails when the adapter's own bound
//! on a round trip runs out, never later, and the adapter recovers once the
//! server answers again.

use std::time::Duration;

use mediaflow_shared::cache::{Cache, CacheError, RedisCache, RedisSettings};
use mediaflow_shared::objects::{ObjectError, ObjectKey, ObjectStore, S3ObjectStore, S3Settings};

use super::outage::{assert_names_url, succeeds_in_time};
use super::server::{Backend, PrivateServer};

/// Runs `call` against the frozen server; it must fail within `bound`.
async fn fails_within<T: std::fmt::Debug, E>(
    what: &str,
    bound: Duration,
    call: impl Future<Output = Result<T, E>>,
) -> (E, Duration) {
    let began = std::time::Instant::now();
    let outcome = tokio::time::timeout(bound, call)
        .await
        .unwrap_or_else(|_| panic!("{what} hung: no answer {bound:?} after the freeze"));
    match outcome {
        Ok(value) => panic!("{what} succeeded against a frozen server: {value:?}"),
        Err(error) => (error, began.elapsed()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_redis_fails_the_next_call_at_the_round_trip_bound_and_the_cache_recovers() {
    let Some(server) = PrivateServer::start(Backend::Redis).await else {
        return;
    };
    let settings = RedisSettings::from_url(server.url()).expect("the script prints a Redis URL");
    let url = settings.redacted_url().to_owned();
    let cache = RedisCache::new(settings);
    cache
        .set("k", b"1".to_vec(), None)
        .await
        .expect("a call while the server runs");

    server.signal("STOP");
    // The cache bounds a round trip by 5 s (and the whole call by 6 s).
    let (error, took) = fails_within("Redis GET", Duration::from_secs(10), cache.get("k")).await;
    server.signal("CONT");
    assert!(matches!(error, CacheError::Unavailable(_)), "{error:?}");
    assert_names_url(&error.to_string(), &url);

    let (value, recovered) = succeeds_in_time("Redis GET", cache.get("k")).await;
    assert_eq!(
        value,
        Some(b"1".to_vec()),
        "the thawed server kept its data"
    );
    eprintln!(
        "redis frozen: error {} ms after the freeze; first call after the thaw {} ms",
        took.as_millis(),
        recovered.as_millis()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_s3_server_fails_the_next_call_at_the_idle_bound_and_the_store_recovers() {
    let Some(server) = PrivateServer::start(Backend::S3).await else {
        return;
    };
    let settings = S3Settings::from_url(server.url()).expect("the script prints a URL");
    let store = S3ObjectStore::new(settings).expect("a store");
    let key = ObjectKey::parse("k").expect("a valid key");
    store
        .put(&key, b"1".to_vec(), "text/plain")
        .await
        .expect("a call while the server runs");

    server.signal("STOP");
    // The store gives up on a server silent for 10 s.
    let (error, took) = fails_within("S3 GET", Duration::from_secs(20), store.get(&key)).await;
    server.signal("CONT");
    assert!(matches!(error, ObjectError::Unavailable(_)), "{error:?}");

    let ((_, bytes), recovered) = succeeds_in_time("S3 GET", store.get(&key)).await;
    assert_eq!(bytes, b"1");
    eprintln!(
        "s3 frozen: error {} ms after the freeze; first call after the thaw {} ms",
        took.as_millis(),
        recovered.as_millis()
    );
}
