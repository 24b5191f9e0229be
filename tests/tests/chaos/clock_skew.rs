//! Clock skew: leases, cache TTLs and registrations are judged by the clock of the
//! component that owns them, so a client whose clock drifts can neither steal a
//! lease nor keep one alive past its real expiry.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use mediaflow_shared::cache::{Cache, MemoryCache};
use mediaflow_shared::chaos::SkewedClock;
use mediaflow_shared::clock::{Clock, SharedClock};
use mediaflow_shared::lock::{CacheLockService, Fence, LockError, LockService, acquire_within};
use mediaflow_shared::registry::{MemoryRegistry, ServiceInstance, ServiceRegistry};
use mediaflow_tests::support::manual_clock;

#[tokio::test]
async fn a_client_whose_clock_runs_30_s_ahead_cannot_steal_a_lease() {
    let (_clock, service_clock) = manual_clock();
    let locks = CacheLockService::in_memory(service_clock.clone());
    let lease = locks
        .try_acquire("catalog:leader", "node-a", Duration::from_secs(20))
        .await
        .expect("reachable")
        .expect("free");
    let fast = SkewedClock::new(service_clock.clone(), TimeDelta::seconds(30));
    assert!(
        fast.now() > lease.expires_at,
        "premise: by its own clock the fast client believes the lease has lapsed"
    );
    let stolen = acquire_within(
        &locks,
        &fast,
        "catalog:leader",
        "node-b",
        Duration::from_secs(20),
        Duration::from_secs(5),
        Duration::from_secs(1),
    )
    .await;
    assert!(
        matches!(stolen, Err(LockError::Timeout { .. })),
        "the lock service's clock decides expiry: the fast client must time out, got {stolen:?}"
    );
    assert_eq!(
        locks.holder("catalog:leader").await,
        Ok(Some(lease)),
        "node-a must still hold the lease"
    );
}

#[tokio::test]
async fn a_holder_whose_clock_runs_behind_loses_the_lease_on_service_time() {
    let (clock, service_clock) = manual_clock();
    let locks = CacheLockService::in_memory(service_clock.clone());
    let fence = Fence::new();
    let slow = SkewedClock::new(service_clock.clone(), TimeDelta::seconds(-30));
    let old = locks
        .try_acquire("invoice:7", "node-a", Duration::from_secs(10))
        .await
        .expect("reachable")
        .expect("free");
    clock.advance(Duration::from_secs(10));
    assert!(
        slow.now() < old.expires_at,
        "premise: the slow holder believes it still holds the lease"
    );
    assert!(
        matches!(
            locks.renew(&old, Duration::from_secs(10)).await,
            Err(LockError::NotHeld { .. })
        ),
        "renewal must be refused once the service's clock passed the expiry"
    );
    let new = locks
        .try_acquire("invoice:7", "node-b", Duration::from_secs(10))
        .await
        .expect("reachable")
        .expect("lapsed lease is free");
    fence
        .check("invoice:7", new.token)
        .expect("the new holder writes");
    assert!(
        fence.check("invoice:7", old.token).is_err(),
        "the slow holder's late write must be fenced off by its lower token"
    );
}

#[tokio::test]
async fn cache_ttl_follows_the_cache_hosts_clock() {
    let (_clock, base) = manual_clock();
    let cache_host = Arc::new(SkewedClock::new(base.clone(), TimeDelta::zero()));
    let cache_clock: SharedClock = cache_host.clone();
    let cache = MemoryCache::new(cache_clock);
    cache
        .set(
            "hls:playlist",
            b"#EXTM3U".to_vec(),
            Some(Duration::from_secs(10)),
        )
        .await
        .expect("set");

    cache_host.set_offset(TimeDelta::seconds(11));
    assert_eq!(
        cache.get("hls:playlist").await.expect("get"),
        None,
        "when the cache host's clock jumps 11 s, a 10 s entry must expire though no base time passed"
    );

    cache_host.set_offset(TimeDelta::zero());
    cache
        .set(
            "hls:playlist",
            b"#EXTM3U".to_vec(),
            Some(Duration::from_secs(10)),
        )
        .await
        .expect("set");
    cache_host.set_offset(TimeDelta::seconds(-60));
    assert_eq!(
        cache.get("hls:playlist").await.expect("get"),
        Some(b"#EXTM3U".to_vec()),
        "a cache clock stepped back keeps entries alive: expiry is the cache's view, not the caller's"
    );
}

#[tokio::test]
async fn registrations_lapse_on_the_registrys_clock() {
    let (_clock, base) = manual_clock();
    let registry_host = Arc::new(SkewedClock::new(base.clone(), TimeDelta::zero()));
    let registry_clock: SharedClock = registry_host.clone();
    let registry = MemoryRegistry::new(registry_clock);
    registry
        .register(
            ServiceInstance::new("catalog-1", "catalog", "127.0.0.1:3005"),
            Duration::from_secs(30),
        )
        .await
        .expect("register");
    registry_host.set_offset(TimeDelta::seconds(30));
    assert!(
        registry
            .healthy_instances("catalog")
            .await
            .expect("lookup")
            .is_empty(),
        "a registry host whose clock jumps past the TTL must drop the instance"
    );
}
