//! Retrying a whole transaction that lost to a concurrent one. SQLite serialises
//! writers, so there a transaction waits its turn; PostgreSQL runs them side by
//! side at SERIALIZABLE and aborts one of two that could not have run one after
//! the other ([`StoreError::Conflict`]). The aborted work is sound to redo from
//! its first read: the other transaction has committed by then, so the redo sees
//! its effect and decides again (and a precondition that no longer holds is then
//! refused for what it is, not as an outage).

use std::future::Future;
use std::time::Duration;

use super::StoreError;

/// How many times a transaction runs before its conflict is returned.
pub const CONFLICT_ATTEMPTS: u32 = 5;

/// The longest pause before the last retry; earlier ones are shorter. Real time
/// on purpose: the contention is on a real server, whatever clock a service runs on.
const MAX_BACKOFF: Duration = Duration::from_millis(40);

/// Runs `op` (a whole transaction: reads, decision, writes, commit) until it
/// succeeds, fails with an error `is_conflict` does not accept, or has run
/// [`CONFLICT_ATTEMPTS`] times; between attempts it pauses a random few
/// milliseconds, so two transactions that collided do not collide again in step.
/// Only what `op` does before its commit is redone: effects after the commit
/// (events relayed, caches invalidated) happen once, on the attempt that commits.
pub async fn retry_conflicts<T, E, Fut>(
    mut op: impl FnMut() -> Fut,
    is_conflict: impl Fn(&E) -> bool,
) -> Result<T, E>
where
    Fut: Future<Output = Result<T, E>>,
{
    let mut attempt = 1;
    loop {
        match op().await {
            Err(error) if attempt < CONFLICT_ATTEMPTS && is_conflict(&error) => {
                let ceiling = MAX_BACKOFF * attempt / CONFLICT_ATTEMPTS;
                let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
                tokio::time::sleep(Duration::from_millis(fastrand::u64(1..=millis.max(1)))).await;
                attempt += 1;
            }
            outcome => return outcome,
        }
    }
}

/// True for a store error a retry of the whole transaction may cure.
pub fn is_conflict(error: &StoreError) -> bool {
    matches!(error, StoreError::Conflict(_))
}
