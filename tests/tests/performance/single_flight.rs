//! Single-flight loading, counted: however many callers miss a key at once, the
//! loader runs once per key; the others wait for its result (a cache stampede
//! otherwise sends every one of them to the database).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use mediaflow_shared::cache::{MemoryCache, ReadThrough, ReadThroughError, ReadThroughPolicy};
use mediaflow_shared::clock::ManualClock;
use mediaflow_tests::support::manual_clock;
use tokio::sync::watch;

const CALLERS: usize = 50;

fn layer() -> (Arc<ManualClock>, Arc<ReadThrough>) {
    let (clock, shared) = manual_clock();
    let policy = ReadThroughPolicy {
        ttl: Duration::from_secs(30),
        jitter: 0.0,
        stale_while_revalidate: Duration::ZERO,
    };
    let cache = Arc::new(MemoryCache::new(shared.clone()));
    (clock, Arc::new(ReadThrough::new(cache, shared, policy, 11)))
}

/// Yields until `done` holds; bounded so a regression fails instead of hanging.
async fn until(done: impl Fn() -> bool) {
    for _ in 0..10_000 {
        if done() {
            return;
        }
        tokio::task::yield_now().await;
    }
    panic!("the awaited condition never became true");
}

/// What loaders wait on. Opening it releases every waiting loader at once, so a
/// regression that starts many loads fails its count instead of hanging.
#[derive(Debug)]
struct Gate(watch::Sender<bool>);

impl Gate {
    fn new() -> Arc<Self> {
        Arc::new(Self(watch::Sender::new(false)))
    }

    fn open(&self) {
        self.0.send_replace(true);
    }

    async fn pass(&self) {
        // The sender lives as long as the gate, so waiting cannot fail.
        let _ = self.0.subscribe().wait_for(|open| *open).await;
    }
}

/// Work the loaders did: calls per key and the most loads running at once.
#[derive(Debug, Default)]
struct LoaderCounts {
    calls: AtomicUsize,
    running: AtomicUsize,
    max_running: AtomicUsize,
}

/// Starts `CALLERS` concurrent `get_or_load` calls on `key`, each with a loader
/// that counts its call and waits for `gate`; returns once every caller is parked.
async fn stampede(
    layer: &Arc<ReadThrough>,
    key: &str,
    gate: &Arc<Gate>,
    counts: &Arc<LoaderCounts>,
    outcome: Result<String, String>,
) -> Vec<tokio::task::JoinHandle<Result<String, ReadThroughError<String>>>> {
    let started = Arc::new(AtomicUsize::new(0));
    let tasks = (0..CALLERS)
        .map(|_| {
            let (layer, gate, counts, started) =
                (layer.clone(), gate.clone(), counts.clone(), started.clone());
            let (key, outcome) = (key.to_owned(), outcome.clone());
            tokio::spawn(async move {
                started.fetch_add(1, Ordering::SeqCst);
                layer
                    .get_or_load(&key, || async move {
                        counts.calls.fetch_add(1, Ordering::SeqCst);
                        let now = counts.running.fetch_add(1, Ordering::SeqCst) + 1;
                        counts.max_running.fetch_max(now, Ordering::SeqCst);
                        gate.pass().await;
                        counts.running.fetch_sub(1, Ordering::SeqCst);
                        outcome
                    })
                    .await
            })
        })
        .collect();
    until(|| started.load(Ordering::SeqCst) == CALLERS).await;
    tasks
}

#[tokio::test]
async fn fifty_concurrent_callers_cause_one_loader_call() {
    let (_clock, layer) = layer();
    let (gate, counts) = (Gate::new(), Arc::new(LoaderCounts::default()));
    let tasks = stampede(
        &layer,
        "video:popular",
        &gate,
        &counts,
        Ok("premiere".to_owned()),
    )
    .await;
    gate.open();
    for task in tasks {
        assert_eq!(
            task.await.expect("caller task"),
            Ok("premiere".to_owned()),
            "every concurrent caller must receive the single load's value"
        );
    }
    assert_eq!(
        counts.calls.load(Ordering::SeqCst),
        1,
        "50 concurrent misses must cost one loader call"
    );
    assert_eq!(
        layer.stats().coalesced,
        (CALLERS - 1) as u64,
        "all callers but the loading one must have waited for its result"
    );
}

#[tokio::test]
async fn concurrent_callers_share_one_failure_and_the_failure_is_not_cached() {
    let (_clock, layer) = layer();
    let (gate, counts) = (Gate::new(), Arc::new(LoaderCounts::default()));
    let tasks = stampede(
        &layer,
        "video:1",
        &gate,
        &counts,
        Err("db timeout".to_owned()),
    )
    .await;
    gate.open();
    for task in tasks {
        assert_eq!(
            task.await.expect("caller task"),
            Err(ReadThroughError::Load("db timeout".to_owned())),
            "the waiting callers must receive the loading caller's error"
        );
    }
    assert_eq!(
        counts.calls.load(Ordering::SeqCst),
        1,
        "a failing load must still run only once"
    );
    let retried = layer
        .get_or_load("video:1", || async { Ok::<_, String>("ok".to_owned()) })
        .await;
    assert_eq!(
        retried,
        Ok("ok".to_owned()),
        "the next call after a shared failure must load again"
    );
}

#[tokio::test]
async fn different_keys_load_concurrently_once_each() {
    let (_clock, layer) = layer();
    let gate = Gate::new();
    let keys = ["video:1", "video:2", "video:3", "video:4", "video:5"];
    let shared_counts = Arc::new(LoaderCounts::default());
    let mut per_key = Vec::new();
    for key in keys {
        let tasks = stampede(&layer, key, &gate, &shared_counts, Ok(key.to_owned())).await;
        per_key.push((key, tasks));
    }
    assert_eq!(
        shared_counts.max_running.load(Ordering::SeqCst),
        keys.len(),
        "loads of different keys must run at the same time, not one after another"
    );
    gate.open();
    for (key, tasks) in per_key {
        for task in tasks {
            assert_eq!(
                task.await.expect("caller task"),
                Ok(key.to_owned()),
                "each key gets its own value"
            );
        }
    }
    assert_eq!(
        shared_counts.calls.load(Ordering::SeqCst),
        keys.len(),
        "five keys stampeded by 50 callers each must cost exactly five loader calls"
    );
}

#[tokio::test]
async fn after_expiry_fifty_callers_cause_exactly_one_reload() {
    let (clock, layer) = layer();
    let (gate, counts) = (Gate::new(), Arc::new(LoaderCounts::default()));
    layer
        .get_or_load("home", || async { Ok::<_, String>("v1".to_owned()) })
        .await
        .expect("warm");
    clock.advance(Duration::from_secs(30));
    let tasks = stampede(&layer, "home", &gate, &counts, Ok("v2".to_owned())).await;
    gate.open();
    for task in tasks {
        assert_eq!(
            task.await.expect("caller task"),
            Ok("v2".to_owned()),
            "callers get the reloaded value"
        );
    }
    assert_eq!(
        counts.calls.load(Ordering::SeqCst),
        1,
        "an expired hot key must be reloaded exactly once"
    );
    assert_eq!(
        layer.stats().loads,
        2,
        "one warm-up load and one reload in all"
    );
}
