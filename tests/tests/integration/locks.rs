//! The lock service over the cache: exclusive leases, expiry on the service's
//! clock, fencing tokens, owner-only renew and release (atomic, even when another
//! client acts between two of its cache calls), and bounded waiting.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use mediaflow_shared::cache::MemoryCache;

use mediaflow_shared::clock::{Clock, ManualClock};
use mediaflow_shared::lock::{CacheLockService, Lease, LockError, LockService, acquire_within};
use mediaflow_tests::support::doubles::InterleavingCache;
use mediaflow_tests::support::manual_clock;

const TTL: Duration = Duration::from_secs(10);

fn service() -> (Arc<ManualClock>, CacheLockService) {
    let (clock, shared) = manual_clock();
    (clock, CacheLockService::in_memory(shared))
}

async fn acquire(locks: &CacheLockService, owner: &str) -> Lease {
    locks
        .try_acquire("transcode:video-1", owner, TTL)
        .await
        .expect("lock service reachable")
        .unwrap_or_else(|| panic!("{owner} expected to get the free lock"))
}

#[tokio::test]
async fn a_held_lock_is_not_granted_to_another_owner() {
    let (_clock, locks) = service();
    let lease = acquire(&locks, "worker-a").await;
    let second = locks
        .try_acquire("transcode:video-1", "worker-b", TTL)
        .await
        .expect("lock service reachable");
    assert_eq!(
        second, None,
        "a second owner must not get a lock that is held"
    );
    assert_eq!(
        locks.holder("transcode:video-1").await,
        Ok(Some(lease)),
        "the first owner must still hold it"
    );
}

#[tokio::test]
async fn the_same_owner_cannot_acquire_twice_without_renewing() {
    let (_clock, locks) = service();
    acquire(&locks, "worker-a").await;
    let again = locks
        .try_acquire("transcode:video-1", "worker-a", TTL)
        .await;
    assert_eq!(
        again,
        Ok(None),
        "acquire is not re-entrant; a holder extends its lease with renew"
    );
}

#[tokio::test]
async fn an_expired_lease_frees_the_resource() {
    let (clock, locks) = service();
    let first = acquire(&locks, "worker-a").await;
    clock.advance(TTL - Duration::from_millis(1));
    assert_eq!(
        locks
            .try_acquire("transcode:video-1", "worker-b", TTL)
            .await,
        Ok(None),
        "the lease must still hold 1 ms before it expires"
    );
    clock.advance(Duration::from_millis(1));
    let second = acquire(&locks, "worker-b").await;
    assert_eq!(
        second.owner, "worker-b",
        "a lapsed lease must be grantable to someone else"
    );
    assert!(
        second.token > first.token,
        "the new grant must carry a larger fencing token"
    );
}

#[tokio::test]
async fn fencing_tokens_strictly_increase_with_every_grant() {
    let (clock, locks) = service();
    let mut tokens = Vec::new();
    for owner in ["worker-a", "worker-a", "worker-b", "worker-a"] {
        let lease = acquire(&locks, owner).await;
        tokens.push(lease.token);
        if owner == "worker-b" {
            assert!(
                locks.release(&lease).await.expect("release"),
                "the holder can release"
            );
        } else {
            clock.advance(TTL);
        }
    }
    assert!(
        tokens.windows(2).all(|pair| pair[0] < pair[1]),
        "tokens must strictly increase, also for a re-grant to the same owner: {tokens:?}"
    );
}

#[tokio::test]
async fn the_lease_expiry_comes_from_the_service_clock() {
    let (clock, locks) = service();
    let lease = acquire(&locks, "worker-a").await;
    assert_eq!(
        lease.expires_at,
        clock.now() + chrono::TimeDelta::seconds(10),
        "a lease must expire ttl after the grant, on the service's clock"
    );
}

#[tokio::test]
async fn renew_extends_the_lease_and_keeps_the_token() {
    let (clock, locks) = service();
    let lease = acquire(&locks, "worker-a").await;
    clock.advance(Duration::from_secs(8));
    let renewed = locks
        .renew(&lease, TTL)
        .await
        .expect("owner renews in time");
    assert_eq!(
        renewed.token, lease.token,
        "renewal must keep the fencing token"
    );
    clock.advance(Duration::from_secs(8));
    assert_eq!(
        locks
            .try_acquire("transcode:video-1", "worker-b", TTL)
            .await,
        Ok(None),
        "16 s after the grant the renewed lease must still hold"
    );
}

#[tokio::test]
async fn renew_by_another_owner_fails() {
    let (_clock, locks) = service();
    let lease = acquire(&locks, "worker-a").await;
    let forged = Lease {
        owner: "worker-b".to_owned(),
        ..lease
    };
    assert_eq!(
        locks.renew(&forged, TTL).await,
        Err(LockError::NotHeld {
            resource: "transcode:video-1".to_owned(),
            owner: "worker-b".to_owned(),
        }),
        "only the holder may renew"
    );
}

#[tokio::test]
async fn renew_after_expiry_fails_even_for_the_old_owner() {
    let (clock, locks) = service();
    let lease = acquire(&locks, "worker-a").await;
    clock.advance(TTL);
    assert!(
        matches!(
            locks.renew(&lease, TTL).await,
            Err(LockError::NotHeld { .. })
        ),
        "a lapsed lease must not be revived by renew; acquire again for a new token"
    );
}

#[tokio::test]
async fn release_by_a_lapsed_holder_does_not_free_the_new_holders_lock() {
    let (clock, locks) = service();
    let stale = acquire(&locks, "worker-a").await;
    clock.advance(TTL);
    let current = acquire(&locks, "worker-b").await;
    assert_eq!(
        locks.release(&stale).await,
        Ok(false),
        "a holder whose lease lapsed must not be able to release"
    );
    assert_eq!(
        locks.holder("transcode:video-1").await,
        Ok(Some(current)),
        "the new holder's lease must survive the old holder's release (no get-then-delete race)"
    );
}

#[tokio::test]
async fn a_release_racing_the_lease_expiry_never_frees_the_next_holders_lock() {
    let (clock, shared) = manual_clock();
    let cache = Arc::new(InterleavingCache::new(Arc::new(MemoryCache::new(
        shared.clone(),
    ))));
    let locks = Arc::new(CacheLockService::new(cache.clone(), shared));
    let stale = acquire(&locks, "worker-a").await;
    let successor = Arc::new(Mutex::new(None));
    // Whenever worker-a's release reads the cache, worker-a's lease runs out and
    // worker-b takes the lock before the release goes on; a release that does not
    // read lets worker-b in right after it.
    cache.after_next_get({
        let (clock, locks, successor) = (clock.clone(), locks.clone(), successor.clone());
        move || {
            Box::pin(async move {
                clock.advance(TTL);
                let lease = acquire(&locks, "worker-b").await;
                *successor.lock().expect("successor slot") = Some(lease);
            })
        }
    });
    let released = locks.release(&stale).await;
    cache.run_if_still_armed().await;
    let current = successor
        .lock()
        .expect("successor slot")
        .clone()
        .expect("worker-b took the lock");
    assert_eq!(
        locks.holder("transcode:video-1").await,
        Ok(Some(current)),
        "worker-a's late release ({released:?}) freed the lease worker-b was granted after \
         worker-a's had lapsed: two workers can now transcode video-1 at once"
    );
}

#[tokio::test]
async fn release_by_another_owner_fails_and_the_lock_stays_held() {
    let (_clock, locks) = service();
    let lease = acquire(&locks, "worker-a").await;
    let other = Lease {
        owner: "worker-b".to_owned(),
        ..lease.clone()
    };
    assert_eq!(
        locks.release(&other).await,
        Ok(false),
        "a non-owner's release must be refused"
    );
    assert_eq!(
        locks.holder("transcode:video-1").await,
        Ok(Some(lease.clone())),
        "the owner must still hold it"
    );
    assert_eq!(
        locks.release(&lease).await,
        Ok(true),
        "the owner's release succeeds"
    );
    assert_eq!(
        locks.holder("transcode:video-1").await,
        Ok(None),
        "after release the resource is free"
    );
}

#[tokio::test]
async fn ttls_outside_one_millisecond_to_one_hour_are_rejected() {
    let (_clock, locks) = service();
    for ttl in [Duration::ZERO, Duration::from_secs(3601)] {
        assert_eq!(
            locks.try_acquire("r", "o", ttl).await,
            Err(LockError::InvalidTtl(ttl)),
            "a lease ttl of {ttl:?} must be rejected"
        );
    }
    assert!(
        locks
            .try_acquire("r", "o", Duration::from_secs(3600))
            .await
            .expect("valid")
            .is_some()
    );
}

#[tokio::test]
async fn acquire_within_times_out_and_never_returns_a_lease_it_does_not_hold() {
    let (clock, shared) = manual_clock();
    let locks = CacheLockService::in_memory(shared.clone());
    let holder = locks
        .try_acquire("billing:invoice-7", "worker-a", Duration::from_secs(60))
        .await
        .expect("reachable")
        .expect("free lock");
    let started = clock.now();
    let result = acquire_within(
        &locks,
        shared.as_ref(),
        "billing:invoice-7",
        "worker-b",
        TTL,
        Duration::from_secs(5),
        Duration::from_millis(500),
    )
    .await;
    assert!(
        matches!(result, Err(LockError::Timeout { ref resource, waited }) if resource == "billing:invoice-7" && waited == Duration::from_secs(5)),
        "waiting longer than allowed must fail with a timeout after exactly the wait, got {result:?}"
    );
    assert_eq!(
        clock.now() - started,
        chrono::TimeDelta::seconds(5),
        "the wait must be bounded"
    );
    assert_eq!(
        locks.holder("billing:invoice-7").await,
        Ok(Some(holder)),
        "the original holder keeps the lock"
    );
}

#[tokio::test]
async fn acquire_within_gets_the_lock_once_the_holder_lapses() {
    let (clock, shared) = manual_clock();
    let locks = CacheLockService::in_memory(shared.clone());
    locks
        .try_acquire("r", "worker-a", Duration::from_secs(2))
        .await
        .expect("ok")
        .expect("free");
    let lease = acquire_within(
        &locks,
        shared.as_ref(),
        "r",
        "worker-b",
        TTL,
        Duration::from_secs(5),
        Duration::from_millis(500),
    )
    .await
    .expect("the lock frees up within the wait");
    assert_eq!(
        lease.owner, "worker-b",
        "the waiter must end up holding the lock"
    );
    assert_eq!(
        clock.sleeps().len(),
        4,
        "it must have polled every 500 ms until the 2 s lease lapsed"
    );
}

#[tokio::test]
async fn locks_on_different_resources_are_independent() {
    let (_clock, locks) = service();
    let a = locks
        .try_acquire("video:1", "worker-a", TTL)
        .await
        .expect("ok")
        .expect("free");
    let b = locks
        .try_acquire("video:2", "worker-b", TTL)
        .await
        .expect("ok")
        .expect("free");
    assert!(
        locks.release(&a).await.expect("release"),
        "the holder of video:1 releases it"
    );
    assert_eq!(
        locks.holder("video:2").await,
        Ok(Some(b)),
        "releasing one resource must not touch the lease on another"
    );
}
