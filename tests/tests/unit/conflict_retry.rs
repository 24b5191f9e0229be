//! Redoing a transaction that lost to a concurrent one: redone until it commits,
//! never redone for another error, and given up after a bounded number of runs.

use std::sync::atomic::{AtomicU32, Ordering};

use mediaflow_shared::store::{CONFLICT_ATTEMPTS, StoreError, is_conflict, retry_conflicts};

fn conflict() -> StoreError {
    StoreError::Conflict("could not serialize access".to_owned())
}

#[tokio::test]
async fn a_transaction_that_lost_twice_is_redone_until_it_commits() {
    let runs = AtomicU32::new(0);
    let outcome = retry_conflicts(
        || async {
            if runs.fetch_add(1, Ordering::SeqCst) < 2 {
                Err(conflict())
            } else {
                Ok("committed")
            }
        },
        is_conflict,
    )
    .await;
    assert_eq!(outcome, Ok("committed"));
    assert_eq!(
        runs.load(Ordering::SeqCst),
        3,
        "two lost runs, one that commits"
    );
}

#[tokio::test]
async fn an_error_other_than_a_conflict_is_returned_without_a_redo() {
    let runs = AtomicU32::new(0);
    let outcome: Result<(), StoreError> = retry_conflicts(
        || async {
            runs.fetch_add(1, Ordering::SeqCst);
            Err(StoreError::Constraint("duplicate key".to_owned()))
        },
        is_conflict,
    )
    .await;
    assert_eq!(
        outcome,
        Err(StoreError::Constraint("duplicate key".to_owned()))
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1, "a constraint is final");
}

#[tokio::test]
async fn a_transaction_that_keeps_losing_returns_its_conflict_after_the_last_run() {
    let runs = AtomicU32::new(0);
    let outcome: Result<(), StoreError> = retry_conflicts(
        || async {
            runs.fetch_add(1, Ordering::SeqCst);
            Err(conflict())
        },
        is_conflict,
    )
    .await;
    assert_eq!(outcome, Err(conflict()));
    assert_eq!(runs.load(Ordering::SeqCst), CONFLICT_ATTEMPTS);
}
