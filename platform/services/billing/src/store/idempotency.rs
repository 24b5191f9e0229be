//! Idempotency keys. The first request with a key claims it (`in_progress`) by
//! inserting its row; the response is stored with the state change it reports
//! (`completed`), and a retry with the same key and body gets it back. A request
//! that failed transiently reopens the key (`open`) for a retry; a claim whose
//! holder vanished is taken over after a lease. Each claim carries a fresh token,
//! so only the current holder can complete or reopen the key. The row id never
//! changes across retries: provider idempotency keys derive from it.

use std::time::Duration;

use mediaflow_shared::clock::{Timestamp, chrono_duration};
use mediaflow_shared::ids::IdGenerator;
use mediaflow_shared::params;
use mediaflow_shared::store::timestamp_to_micros;

use super::Db;
use super::rows;
use crate::domain::idempotency::IdempotencyKey;
use crate::error::BillingError;

/// A key held by the current request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedKey {
    /// Who the key belongs to (the caller's user id): keys are per caller.
    pub owner: String,
    /// The key.
    pub key: String,
    /// Stable id of the key row, the root of provider idempotency keys.
    pub id: String,
    /// This claim's token.
    pub token: String,
}

/// A response stored under a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: String,
}

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The caller holds the key now and must do the work.
    Acquired(ClaimedKey),
    /// The key's request completed; answer with its response.
    Replay(StoredResponse),
    /// The key was used with a different request.
    Mismatch,
    /// Another request holds the key.
    InProgress,
}

/// Timing rules of [`claim`].
#[derive(Debug, Clone, Copy)]
pub struct ClaimRules {
    /// Age after which an `in_progress` claim may be taken over.
    pub lease: Duration,
    /// Age after which a key is forgotten and may be used anew.
    pub retention: Duration,
}

const SELECT: &str = "SELECT id, request_hash, state, claim_token, locked_at, response_status, response_body, created_at \
    FROM idempotency_keys WHERE owner = $1 AND idem_key = $2";

/// Claims `key` of `owner` for a request with fingerprint `hash`.
pub async fn claim(
    db: &mut Db<'_>,
    ids: &IdGenerator,
    owner: &str,
    key: &IdempotencyKey,
    hash: &str,
    now: Timestamp,
    rules: ClaimRules,
) -> Result<Claim, BillingError> {
    let token = ids.prefixed("claim");
    let micros = timestamp_to_micros(now);
    // Twice at most: a row purged between the insert and the read is inserted again.
    for _ in 0..2 {
        let id = ids.prefixed("idk");
        let inserted = db
            .execute(
                "INSERT INTO idempotency_keys (owner, idem_key, id, request_hash, state, claim_token, locked_at, created_at) \
                 VALUES ($1, $2, $3, $4, 'in_progress', $5, $6, $6) ON CONFLICT (owner, idem_key) DO NOTHING",
                &params![owner, key.as_str(), id.as_str(), hash, token.as_str(), micros],
            )
            .await?;
        let claimed = |id: String| {
            Claim::Acquired(ClaimedKey {
                owner: owner.to_owned(),
                key: key.as_str().to_owned(),
                id,
                token: token.clone(),
            })
        };
        if inserted == 1 {
            return Ok(claimed(id));
        }
        let rows = db.query(SELECT, &params![owner, key.as_str()]).await?;
        let Some(row) = rows.first() else {
            continue;
        };
        let held_by: String = row.get("claim_token")?;
        let created_at = rows::timestamp(row, "created_at")?;
        if created_at + chrono_duration(rules.retention) <= now {
            // Forgotten: reuse the key as new, with a new row id.
            let renewed = db
                .execute(
                    "UPDATE idempotency_keys SET id = $1, request_hash = $2, state = 'in_progress', claim_token = $3, \
                     locked_at = $4, created_at = $4, response_status = NULL, response_body = NULL, completed_at = NULL \
                     WHERE owner = $5 AND idem_key = $6 AND claim_token = $7",
                    &params![id.as_str(), hash, token.as_str(), micros, owner, key.as_str(), held_by.as_str()],
                )
                .await?;
            return Ok(if renewed == 1 {
                claimed(id)
            } else {
                Claim::InProgress
            });
        }
        if row.get::<String>("request_hash")? != hash {
            return Ok(Claim::Mismatch);
        }
        let state: String = row.get("state")?;
        let stale = rows::timestamp(row, "locked_at")? + chrono_duration(rules.lease) <= now;
        match state.as_str() {
            "completed" => {
                let status = u16::try_from(row.get::<i64>("response_status")?).map_err(|_| {
                    BillingError::Corrupt("stored response status out of range".to_owned())
                })?;
                return Ok(Claim::Replay(StoredResponse {
                    status,
                    body: row.get("response_body")?,
                }));
            }
            "open" => {}
            "in_progress" if stale => {}
            _ => return Ok(Claim::InProgress),
        }
        let taken = db
            .execute(
                "UPDATE idempotency_keys SET state = 'in_progress', claim_token = $1, locked_at = $2 \
                 WHERE owner = $3 AND idem_key = $4 AND claim_token = $5",
                &params![token.as_str(), micros, owner, key.as_str(), held_by.as_str()],
            )
            .await?;
        let id: String = row.get("id")?;
        return Ok(if taken == 1 {
            claimed(id)
        } else {
            Claim::InProgress
        });
    }
    Ok(Claim::InProgress)
}

/// Stores the response of a claimed key; `false` when the claim was lost (taken
/// over after its lease), in which case the caller must not commit its work.
pub async fn complete(
    db: &mut Db<'_>,
    claim: &ClaimedKey,
    status: u16,
    body: &str,
    now: Timestamp,
) -> Result<bool, BillingError> {
    let changed = db
        .execute(
            "UPDATE idempotency_keys SET state = 'completed', response_status = $1, response_body = $2, completed_at = $3 \
             WHERE owner = $4 AND idem_key = $5 AND claim_token = $6 AND state = 'in_progress'",
            &params![
                i64::from(status),
                body,
                timestamp_to_micros(now),
                claim.owner.as_str(),
                claim.key.as_str(),
                claim.token.as_str()
            ],
        )
        .await?;
    Ok(changed == 1)
}

/// Reopens a claimed key after a transient failure, so a retry with the same key
/// runs again (with the same provider keys, which the provider deduplicates).
pub async fn reopen(db: &mut Db<'_>, claim: &ClaimedKey) -> Result<(), BillingError> {
    db.execute(
        "UPDATE idempotency_keys SET state = 'open' \
         WHERE owner = $1 AND idem_key = $2 AND claim_token = $3 AND state = 'in_progress'",
        &params![
            claim.owner.as_str(),
            claim.key.as_str(),
            claim.token.as_str()
        ],
    )
    .await?;
    Ok(())
}

/// Gives the key row a new id, so the next attempt derives new provider keys:
/// used once a charge was refunded as compensation and must not be reused.
pub async fn rotate_id(
    db: &mut Db<'_>,
    claim: &ClaimedKey,
    new_id: &str,
) -> Result<(), BillingError> {
    db.execute(
        "UPDATE idempotency_keys SET id = $1 WHERE owner = $2 AND idem_key = $3 AND claim_token = $4",
        &params![new_id, claim.owner.as_str(), claim.key.as_str(), claim.token.as_str()],
    )
    .await?;
    Ok(())
}

/// Deletes keys created before `cutoff`; returns how many.
pub async fn purge_before(db: &mut Db<'_>, cutoff: Timestamp) -> Result<u64, BillingError> {
    Ok(db
        .execute(
            "DELETE FROM idempotency_keys WHERE created_at < $1 AND state <> 'in_progress'",
            &params![timestamp_to_micros(cutoff)],
        )
        .await?)
}
