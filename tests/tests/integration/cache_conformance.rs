//! One conformance suite for the cache contract, run on every backend: each test is
//! written once against a [`Backend`] (an `Arc<dyn Cache>` and a way to let time
//! pass) and instantiated twice by `conformance!`, as `memory::<name>` (always)
//! and `redis::<name>`.
//!
//! Time passes on the memory cache by advancing its manual clock, on Redis by
//! sleeping (the server judges expiry by its own clock), so expiry tests use short
//! TTLs and every test sleeps at most a few hundred milliseconds.
//!
//! The Redis instances need a server: set `MEDIAFLOW_TEST_REDIS_URL`
//! (`infrastructure/local/redis.sh start` prints one; CI sets it). Without it they
//! print "skipped: MEDIAFLOW_TEST_REDIS_URL not set" and pass. Each Redis test
//! works under a key prefix of its own (process id and test name), so tests run in
//! parallel on one server.

use std::sync::Arc;
use std::time::Duration;

use mediaflow_shared::cache::{Cache, CacheError, MemoryCache, RedisCache, RedisSettings};
use mediaflow_shared::clock::{ManualClock, SharedClock, SystemClock};
use mediaflow_shared::config::Env;
use mediaflow_shared::lock::{CacheLockService, LockService};
use mediaflow_tests::support::manual_clock;

/// The variable naming the throwaway Redis server of the suite.
const REDIS_URL_VAR: &str = "MEDIAFLOW_TEST_REDIS_URL";

/// A TTL long enough that no test outlives it by accident.
const LONG: Duration = Duration::from_secs(60);
/// A TTL short enough to wait out on a real server.
const SHORT: Duration = Duration::from_millis(150);
/// Comfortably past [`SHORT`].
const PAST_SHORT: Duration = Duration::from_millis(250);

/// How time passes for a backend.
enum Time {
    /// The memory cache's clock: moved, never slept on.
    Manual(Arc<ManualClock>),
    /// The server's clock: slept on.
    Real,
}

/// A cache under test and its time.
struct Backend {
    cache: Arc<dyn Cache>,
    /// The clock the lock service states expiries on.
    clock: SharedClock,
    time: Time,
}

impl Backend {
    fn memory() -> Self {
        let (clock, shared) = manual_clock();
        Self {
            cache: Arc::new(MemoryCache::new(shared.clone())),
            clock: shared,
            time: Time::Manual(clock),
        }
    }

    /// A Redis cache private to one test, or `None` when no server is configured.
    fn redis(test: &str) -> Option<Self> {
        let env = Env::from_process();
        let url = env.raw(REDIS_URL_VAR)?;
        let settings =
            RedisSettings::from_url(url).unwrap_or_else(|e| panic!("{REDIS_URL_VAR} must be {e}"));
        let prefix = format!("test:{}:{test}:", std::process::id());
        Some(Self {
            cache: Arc::new(RedisCache::new(settings.with_prefix(&prefix))),
            clock: SystemClock::shared(),
            time: Time::Real,
        })
    }

    async fn pass(&self, by: Duration) {
        match &self.time {
            Time::Manual(clock) => clock.advance(by),
            Time::Real => tokio::time::sleep(by).await,
        }
    }

    fn locks(&self) -> CacheLockService {
        CacheLockService::new(self.cache.clone(), self.clock.clone())
    }
}

/// Instantiates each listed test for both backends.
macro_rules! conformance {
    ($($name:ident),+ $(,)?) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(&super::Backend::memory()).await;
                }
            )+
        }

        mod redis {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(backend) = super::Backend::redis(stringify!($name)) else {
                        eprintln!("skipped: {} not set", super::REDIS_URL_VAR);
                        return;
                    };
                    super::$name(&backend).await;
                }
            )+
        }
    };
}

conformance!(
    set_get_and_overwrite_round_trip_bytes,
    a_plain_set_clears_an_earlier_ttl,
    a_value_expires_after_its_ttl,
    set_if_absent_stores_only_when_absent_or_expired,
    delete_reports_whether_a_live_value_was_removed,
    delete_if_equals_removes_only_the_owners_value,
    expire_if_equals_replaces_the_ttl_only_for_the_owner,
    incr_counts_from_zero_and_keeps_an_existing_ttl,
    incr_gives_a_new_key_its_ttl_and_it_expires,
    incr_refuses_values_that_redis_does_not_read_as_integers,
    incr_refuses_to_overflow,
    ttl_reports_the_remaining_time_or_none,
    a_zero_ttl_leaves_nothing_visible,
    locks_exclude_a_second_owner_refuse_a_wrong_release_and_fence_upwards,
);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

async fn set_get_and_overwrite_round_trip_bytes(b: &Backend) {
    let c = &*b.cache;
    assert_eq!(c.get("k").await, Ok(None), "an absent key reads as None");
    let bytes = vec![0, 255, b'\n', 0x80, b'x'];
    c.set("k", bytes.clone(), None).await.expect("set");
    assert_eq!(
        c.get("k").await,
        Ok(Some(bytes)),
        "bytes come back as stored"
    );
    c.set("k", b"second".to_vec(), Some(LONG))
        .await
        .expect("overwrite");
    assert_eq!(c.get("k").await, Ok(Some(b"second".to_vec())));
    c.set("empty", Vec::new(), None).await.expect("set empty");
    assert_eq!(
        c.get("empty").await,
        Ok(Some(Vec::new())),
        "an empty value is a value, not an absence"
    );
}

async fn a_plain_set_clears_an_earlier_ttl(b: &Backend) {
    let c = &*b.cache;
    c.set("k", b"v".to_vec(), Some(LONG)).await.expect("set");
    c.set("k", b"w".to_vec(), None).await.expect("set again");
    assert_eq!(
        c.ttl("k").await,
        Ok(None),
        "SET without a TTL keeps the value until deleted"
    );
}

async fn a_value_expires_after_its_ttl(b: &Backend) {
    let c = &*b.cache;
    c.set("k", b"v".to_vec(), Some(SHORT)).await.expect("set");
    c.set("forever", b"v".to_vec(), None).await.expect("set");
    assert_eq!(c.get("k").await, Ok(Some(b"v".to_vec())));
    b.pass(PAST_SHORT).await;
    assert_eq!(c.get("k").await, Ok(None), "an expired value is gone");
    assert_eq!(c.ttl("k").await, Ok(None));
    assert_eq!(c.get("forever").await, Ok(Some(b"v".to_vec())));
}

async fn set_if_absent_stores_only_when_absent_or_expired(b: &Backend) {
    let c = &*b.cache;
    assert_eq!(
        c.set_if_absent("k", b"first".to_vec(), Some(SHORT)).await,
        Ok(true)
    );
    assert_eq!(
        c.set_if_absent("k", b"second".to_vec(), Some(LONG)).await,
        Ok(false),
        "a live value is not replaced"
    );
    assert_eq!(c.get("k").await, Ok(Some(b"first".to_vec())));
    b.pass(PAST_SHORT).await;
    assert_eq!(
        c.set_if_absent("k", b"third".to_vec(), None).await,
        Ok(true),
        "an expired value counts as absent"
    );
    assert_eq!(c.get("k").await, Ok(Some(b"third".to_vec())));
    assert_eq!(c.ttl("k").await, Ok(None), "stored without a TTL");
}

async fn delete_reports_whether_a_live_value_was_removed(b: &Backend) {
    let c = &*b.cache;
    assert_eq!(c.delete("k").await, Ok(false), "nothing to delete");
    c.set("k", b"v".to_vec(), None).await.expect("set");
    assert_eq!(c.delete("k").await, Ok(true));
    assert_eq!(c.get("k").await, Ok(None));
    assert_eq!(c.delete("k").await, Ok(false), "already deleted");
}

async fn delete_if_equals_removes_only_the_owners_value(b: &Backend) {
    let c = &*b.cache;
    assert_eq!(c.delete_if_equals("k", b"a").await, Ok(false), "absent");
    c.set("k", b"a".to_vec(), Some(LONG)).await.expect("set");
    assert_eq!(
        c.delete_if_equals("k", b"b").await,
        Ok(false),
        "another owner's value stays"
    );
    assert_eq!(c.get("k").await, Ok(Some(b"a".to_vec())));
    assert_eq!(c.delete_if_equals("k", b"a").await, Ok(true));
    assert_eq!(c.get("k").await, Ok(None));
}

async fn expire_if_equals_replaces_the_ttl_only_for_the_owner(b: &Backend) {
    let c = &*b.cache;
    assert_eq!(
        c.expire_if_equals("k", b"a", LONG).await,
        Ok(false),
        "absent"
    );
    c.set("k", b"a".to_vec(), None).await.expect("set");
    assert_eq!(
        c.expire_if_equals("k", b"b", SHORT).await,
        Ok(false),
        "another owner cannot change the TTL"
    );
    assert_eq!(c.ttl("k").await, Ok(None), "the TTL is untouched");
    assert_eq!(c.expire_if_equals("k", b"a", SHORT).await, Ok(true));
    let ttl = c.ttl("k").await.expect("ttl").expect("now expiring");
    assert!(
        ttl <= SHORT && ttl > ms(50),
        "a TTL of about {SHORT:?}, got {ttl:?}"
    );
    b.pass(PAST_SHORT).await;
    assert_eq!(c.get("k").await, Ok(None), "the new TTL took effect");
    assert_eq!(
        c.expire_if_equals("k", b"a", LONG).await,
        Ok(false),
        "an expired value cannot be renewed"
    );
}

async fn incr_counts_from_zero_and_keeps_an_existing_ttl(b: &Backend) {
    let c = &*b.cache;
    assert_eq!(c.incr("n", 5, None).await, Ok(5), "absent counts as 0");
    assert_eq!(c.incr("n", -7, Some(ms(100))).await, Ok(-2));
    assert_eq!(
        c.ttl("n").await,
        Ok(None),
        "ttl_if_new does not apply to an existing key"
    );
    assert_eq!(
        c.get("n").await,
        Ok(Some(b"-2".to_vec())),
        "stored as decimal text"
    );
    c.set("m", b"41".to_vec(), Some(LONG)).await.expect("set");
    assert_eq!(
        c.incr("m", 1, None).await,
        Ok(42),
        "a stored integer counts"
    );
    let ttl = c.ttl("m").await.expect("ttl").expect("the TTL is kept");
    assert!(ttl > LONG - Duration::from_secs(5), "kept TTL, got {ttl:?}");
}

async fn incr_gives_a_new_key_its_ttl_and_it_expires(b: &Backend) {
    let c = &*b.cache;
    assert_eq!(c.incr("n", 1, Some(SHORT)).await, Ok(1));
    let ttl = c
        .ttl("n")
        .await
        .expect("ttl")
        .expect("a new key gets ttl_if_new");
    assert!(ttl <= SHORT && ttl > ms(50), "about {SHORT:?}, got {ttl:?}");
    assert_eq!(c.incr("n", 1, Some(LONG)).await, Ok(2));
    let ttl = c.ttl("n").await.expect("ttl").expect("still expiring");
    assert!(ttl <= SHORT, "the first TTL is kept, got {ttl:?}");
    b.pass(PAST_SHORT).await;
    assert_eq!(c.get("n").await, Ok(None), "the counter expired");
    assert_eq!(
        c.incr("n", 1, None).await,
        Ok(1),
        "an expired counter starts again from 0"
    );
    assert_eq!(c.ttl("n").await, Ok(None));
}

async fn incr_refuses_values_that_redis_does_not_read_as_integers(b: &Backend) {
    let c = &*b.cache;
    for bad in [
        &b"abc"[..],
        b"",
        b"1.5",
        b" 1",
        b"1 ",
        b"+1",
        b"007",
        b"-0",
        b"-",
        b"99999999999999999999",
    ] {
        c.set("k", bad.to_vec(), None).await.expect("set");
        assert_eq!(
            c.incr("k", 1, None).await,
            Err(CacheError::NotAnInteger("k".to_owned())),
            "{:?} is not an integer to Redis",
            String::from_utf8_lossy(bad)
        );
        assert_eq!(c.get("k").await, Ok(Some(bad.to_vec())), "left unchanged");
    }
    for (good, next) in [
        (&b"0"[..], 1),
        (b"-1", 0),
        (b"-9223372036854775808", -9_223_372_036_854_775_807),
        (b"9007199254740993", 9_007_199_254_740_994),
    ] {
        c.set("k", good.to_vec(), None).await.expect("set");
        assert_eq!(c.incr("k", 1, None).await, Ok(next));
    }
}

async fn incr_refuses_to_overflow(b: &Backend) {
    let c = &*b.cache;
    c.set("k", i64::MAX.to_string().into_bytes(), None)
        .await
        .expect("set");
    assert_eq!(
        c.incr("k", 1, None).await,
        Err(CacheError::NotAnInteger("k".to_owned()))
    );
    assert_eq!(
        c.get("k").await,
        Ok(Some(i64::MAX.to_string().into_bytes()))
    );
}

async fn ttl_reports_the_remaining_time_or_none(b: &Backend) {
    let c = &*b.cache;
    assert_eq!(c.ttl("absent").await, Ok(None));
    c.set("forever", b"v".to_vec(), None).await.expect("set");
    assert_eq!(c.ttl("forever").await, Ok(None), "no expiry");
    c.set("k", b"v".to_vec(), Some(Duration::from_secs(30)))
        .await
        .expect("set");
    b.pass(Duration::from_millis(100)).await;
    let ttl = c.ttl("k").await.expect("ttl").expect("expiring");
    assert!(
        ttl <= Duration::from_millis(29_900) && ttl > Duration::from_secs(25),
        "30 s less the time passed, got {ttl:?}"
    );
}

async fn a_zero_ttl_leaves_nothing_visible(b: &Backend) {
    let c = &*b.cache;
    c.set("k", b"old".to_vec(), None).await.expect("set");
    c.set("k", b"v".to_vec(), Some(Duration::ZERO))
        .await
        .expect("a zero TTL is accepted");
    assert_eq!(c.get("k").await, Ok(None), "expired at once");
    assert_eq!(
        c.set_if_absent("k", b"v".to_vec(), Some(Duration::ZERO))
            .await,
        Ok(true),
        "stored (and expired at once) when absent"
    );
    assert_eq!(c.get("k").await, Ok(None));
    c.set("k", b"held".to_vec(), None).await.expect("set");
    assert_eq!(
        c.set_if_absent("k", b"v".to_vec(), Some(Duration::ZERO))
            .await,
        Ok(false)
    );
    assert_eq!(
        c.expire_if_equals("k", b"held", Duration::ZERO).await,
        Ok(true)
    );
    assert_eq!(c.get("k").await, Ok(None), "a zero TTL expires it at once");
    assert_eq!(c.incr("n", 3, Some(Duration::ZERO)).await, Ok(3));
    assert_eq!(c.get("n").await, Ok(None));
}

async fn locks_exclude_a_second_owner_refuse_a_wrong_release_and_fence_upwards(b: &Backend) {
    let locks = b.locks();
    let first = locks
        .try_acquire("video-1", "worker-a", LONG)
        .await
        .expect("reachable")
        .expect("the free lock is granted");
    assert_eq!(
        locks.try_acquire("video-1", "worker-b", LONG).await,
        Ok(None),
        "a held lock is not granted to another owner"
    );
    let forged = mediaflow_shared::lock::Lease {
        owner: "worker-b".to_owned(),
        ..first.clone()
    };
    assert_eq!(
        locks.release(&forged).await,
        Ok(false),
        "release by the wrong owner is refused"
    );
    assert!(
        locks.renew(&forged, LONG).await.is_err(),
        "renew by the wrong owner is refused"
    );
    let holder = locks.holder("video-1").await.expect("reachable");
    assert_eq!(holder.map(|l| l.owner), Some("worker-a".to_owned()));
    assert_eq!(locks.release(&first).await, Ok(true));
    let second = locks
        .try_acquire("video-1", "worker-b", SHORT)
        .await
        .expect("reachable")
        .expect("a released lock is granted");
    assert!(
        second.token > first.token,
        "fencing tokens increase: {} then {}",
        first.token,
        second.token
    );
    b.pass(PAST_SHORT).await;
    let third = locks
        .try_acquire("video-1", "worker-c", LONG)
        .await
        .expect("reachable")
        .expect("a lapsed lease frees the resource");
    assert!(third.token > second.token);
    assert!(
        locks.renew(&second, LONG).await.is_err(),
        "a lapsed lease cannot be renewed"
    );
}

#[tokio::test]
async fn a_refused_connection_names_the_url_with_the_password_redacted() {
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    let settings = RedisSettings::from_url("redis://:s3cret@127.0.0.1:1/0").expect("a valid URL");
    let cache = RedisCache::new(settings);
    let started = std::time::Instant::now();
    let error = cache.get("k").await.expect_err("nothing listens on port 1");
    let CacheError::Unavailable(message) = error else {
        panic!("an unreachable server is Unavailable, got {error:?}");
    };
    assert!(
        message.contains("redis://:***@127.0.0.1:1/0"),
        "the message names the URL: {message}"
    );
    assert!(!message.contains("s3cret"), "no password in: {message}");
    assert!(started.elapsed() < Duration::from_secs(10), "never a hang");
}

#[test]
fn settings_read_the_url_and_prefix_and_reject_other_schemes() {
    let env = Env::from_pairs([
        ("MEDIAFLOW_REDIS_URL", "redis://:pw@127.0.0.1:6379/2"),
        ("MEDIAFLOW_REDIS_PREFIX", "staging:"),
    ]);
    let settings = RedisSettings::from_env(&env)
        .expect("valid")
        .expect("configured");
    assert_eq!(settings.prefix(), "staging:");
    assert_eq!(settings.redacted_url(), "redis://:***@127.0.0.1:6379/2");
    assert!(
        RedisSettings::from_env(&Env::from_pairs(Vec::<(String, String)>::new()))
            .expect("valid")
            .is_none(),
        "absent → embedded"
    );
    let error = RedisSettings::from_env(&Env::from_pairs([(
        "MEDIAFLOW_REDIS_URL",
        "http://:pw@127.0.0.1:6379",
    )]))
    .expect_err("not redis://");
    assert!(!error.to_string().contains("pw@"), "redacted: {error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn infra_puts_the_cache_and_the_locks_on_redis_only_when_a_url_is_set() {
    use mediaflow_shared::infra::Infra;

    let embedded =
        Infra::from_env(&Env::from_pairs(Vec::<(String, String)>::new())).expect("embedded infra");
    assert!(
        format!("{:?}", embedded.cache).starts_with("MemoryCache"),
        "no URL: the embedded cache, got {:?}",
        embedded.cache
    );

    let Some(url) = Env::from_process().raw(REDIS_URL_VAR).map(str::to_owned) else {
        eprintln!("skipped: {REDIS_URL_VAR} not set");
        return;
    };
    let prefix = format!("test:{}:infra:", std::process::id());
    let infra = Infra::from_env(&Env::from_pairs([
        ("MEDIAFLOW_REDIS_URL", url.as_str()),
        ("MEDIAFLOW_REDIS_PREFIX", prefix.as_str()),
    ]))
    .expect("infra on Redis");
    assert_eq!(
        infra.kind().to_string(),
        "cache and locks on Redis, the rest embedded"
    );
    infra
        .cache
        .set("k", b"v".to_vec(), Some(LONG))
        .await
        .expect("the cache is reachable");
    let lease = infra
        .locks
        .try_acquire("video-1", "worker-a", LONG)
        .await
        .expect("the locks are reachable")
        .expect("granted");

    let raw = RedisCache::new(
        RedisSettings::from_url(&url)
            .expect("URL")
            .with_prefix(&prefix),
    );
    assert_eq!(
        raw.get("cache:k").await,
        Ok(Some(b"v".to_vec())),
        "the cache lives under <prefix>cache:"
    );
    assert!(
        raw.get("locks:lock:held:video-1")
            .await
            .expect("reachable")
            .is_some(),
        "the leases live under <prefix>locks:"
    );
    assert_eq!(infra.locks.release(&lease).await, Ok(true));
}

#[test]
fn a_redis_cache_outlives_the_runtime_that_opened_its_connection() {
    let Some(backend) = Backend::redis("outlives_runtime") else {
        eprintln!("skipped: {REDIS_URL_VAR} not set");
        return;
    };
    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    };
    runtime().block_on(async {
        backend
            .cache
            .set("k", b"v".to_vec(), Some(LONG))
            .await
            .expect("set on the first runtime");
    });
    // The first runtime is gone, and the connection's driver task with it: the
    // next call finds the connection dropped and opens a new one.
    let read = runtime().block_on(async { backend.cache.get("k").await });
    assert_eq!(read, Ok(Some(b"v".to_vec())));
}
