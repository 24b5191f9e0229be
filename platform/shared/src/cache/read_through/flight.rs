//! The per-key in-flight map behind single-flight loading: the first caller to miss
//! becomes the key's leader, later callers wait on a watch channel for its outcome,
//! and the entry disappears when the leader finishes or is dropped, so no waiter can
//! hang on a load that will never complete.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

/// A type-erased value or error shared by a leader with its waiters; erased because
/// one map serves every `T`/`E` the callers use.
type Shared = Arc<dyn Any + Send + Sync>;

/// The result of one load, as its waiters receive it.
#[derive(Debug, Clone)]
pub(super) struct Outcome(Result<Shared, Shared>);

impl Outcome {
    /// A loaded value.
    pub(super) fn success<T: Send + Sync + 'static>(value: T) -> Self {
        Self(Ok(Arc::new(value)))
    }

    /// A loader error.
    pub(super) fn failure<E: Send + Sync + 'static>(error: E) -> Self {
        Self(Err(Arc::new(error)))
    }

    /// The outcome as the waiter's own types; `None` when the leader used others.
    pub(super) fn downcast<T: Clone + 'static, E: Clone + 'static>(&self) -> Option<Result<T, E>> {
        match &self.0 {
            Ok(value) => value.downcast_ref::<T>().cloned().map(Ok),
            Err(error) => error.downcast_ref::<E>().cloned().map(Err),
        }
    }
}

/// One load in progress.
#[derive(Debug)]
struct Flight {
    /// Tells this flight apart from a later one for the same key.
    id: u64,
    outcome: watch::Receiver<Option<Outcome>>,
    /// Set by invalidation: the result must not be written to the cache.
    detached: Arc<AtomicBool>,
}

/// Loads in progress, keyed by cache key.
#[derive(Debug, Default)]
pub(super) struct Flights {
    map: Mutex<HashMap<String, Flight>>,
    next_id: AtomicU64,
}

/// What a caller that missed must do.
pub(super) enum Role<'a> {
    /// Run the loader and publish the outcome.
    Lead(Leader<'a>),
    /// Wait for the current leader.
    Wait(Waiter),
}

impl Flights {
    /// Joins the key's flight, or starts one with the caller as leader.
    pub(super) fn join_or_lead(&self, key: &str) -> Role<'_> {
        let mut map = self.lock();
        if let Some(flight) = map.get(key) {
            return Role::Wait(Waiter(flight.outcome.clone()));
        }
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (sender, outcome) = watch::channel(None);
        let detached = Arc::new(AtomicBool::new(false));
        map.insert(
            key.to_owned(),
            Flight {
                id,
                outcome,
                detached: Arc::clone(&detached),
            },
        );
        Role::Lead(Leader {
            flights: self,
            key: key.to_owned(),
            id,
            sender,
            detached,
        })
    }

    /// Detaches the key's flight: its waiters still get its result, but the result
    /// is not cached and new callers start a fresh load.
    pub(super) fn detach(&self, key: &str) {
        if let Some(flight) = self.lock().remove(key) {
            flight.detached.store(true, Ordering::SeqCst);
        }
    }

    fn remove(&self, key: &str, id: u64) {
        let mut map = self.lock();
        if map.get(key).is_some_and(|flight| flight.id == id) {
            map.remove(key);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Flight>> {
        self.map.lock().expect("in-flight map poisoned")
    }
}

/// The caller running the load for a key. Dropping it without `finish` (the
/// caller's future was cancelled) removes the flight and wakes the waiters, who
/// then retry.
#[derive(Debug)]
pub(super) struct Leader<'a> {
    flights: &'a Flights,
    key: String,
    id: u64,
    sender: watch::Sender<Option<Outcome>>,
    detached: Arc<AtomicBool>,
}

impl Leader<'_> {
    /// Whether the key was invalidated since this load started.
    pub(super) fn is_detached(&self) -> bool {
        self.detached.load(Ordering::SeqCst)
    }

    /// Publishes the outcome. The flight leaves the map first: by then a success is
    /// in the cache, so callers arriving later read it there instead of waiting.
    pub(super) fn finish(self, outcome: Outcome) {
        self.flights.remove(&self.key, self.id);
        self.sender.send_replace(Some(outcome));
    }
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        self.flights.remove(&self.key, self.id);
    }
}

/// A caller waiting for another caller's load.
#[derive(Debug)]
pub(super) struct Waiter(watch::Receiver<Option<Outcome>>);

impl Waiter {
    /// The leader's outcome; `None` when the leader was dropped before finishing.
    pub(super) async fn outcome(mut self) -> Option<Outcome> {
        self.0
            .wait_for(Option::is_some)
            .await
            .ok()
            .and_then(|outcome| outcome.clone())
    }
}
