//! Login-attempt rows, one per email. Writes are conditional on the version read,
//! so two concurrent logins never both build on the same count: the loser of a
//! race re-reads and counts again.

use mediaflow_shared::params;
use mediaflow_shared::store::{StoreError, timestamp_to_micros};

use super::{AuthStore, optional_timestamp, timestamp};
use crate::domain::{AttemptRecord, Email};

const LOAD: &str = "SELECT failures, window_started_at, locked_until, version \
    FROM login_attempts WHERE email = $1";

const INSERT: &str = "INSERT INTO login_attempts \
    (email, failures, window_started_at, locked_until, version) VALUES ($1, $2, $3, $4, 1) \
    ON CONFLICT (email) DO NOTHING";

const UPDATE: &str = "UPDATE login_attempts \
    SET failures = $1, window_started_at = $2, locked_until = $3, version = version + 1 \
    WHERE email = $4 AND version = $5";

const CLEAR: &str = "DELETE FROM login_attempts WHERE email = $1";

/// An attempt record with the version it was read at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StoredAttempts {
    /// The record.
    pub record: AttemptRecord,
    /// Row version; a write succeeds only while it is unchanged.
    pub version: i64,
}

impl AuthStore {
    /// The unforgiven attempts of `email`.
    pub(crate) async fn load_attempts(
        &self,
        email: &Email,
    ) -> Result<Option<StoredAttempts>, StoreError> {
        let rows = self.db.query(LOAD, &params![email.as_str()]).await?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let failures: i64 = row.get("failures")?;
        Ok(Some(StoredAttempts {
            record: AttemptRecord {
                failures: u32::try_from(failures).unwrap_or(u32::MAX),
                window_started_at: timestamp(row, "window_started_at")?,
                locked_until: optional_timestamp(row, "locked_until")?,
            },
            version: row.get("version")?,
        }))
    }

    /// Stores `record` over the version read (`None`: there was no row). `false`
    /// when another login changed the row first.
    pub(crate) async fn save_attempts(
        &self,
        email: &Email,
        record: AttemptRecord,
        read_version: Option<i64>,
    ) -> Result<bool, StoreError> {
        let locked_until = record.locked_until.map(timestamp_to_micros);
        let window_started_at = timestamp_to_micros(record.window_started_at);
        let failures = i64::from(record.failures);
        let changed = match read_version {
            None => {
                self.db
                    .execute(
                        INSERT,
                        &params![email.as_str(), failures, window_started_at, locked_until],
                    )
                    .await?
            }
            Some(version) => {
                self.db
                    .execute(
                        UPDATE,
                        &params![
                            failures,
                            window_started_at,
                            locked_until,
                            email.as_str(),
                            version
                        ],
                    )
                    .await?
            }
        };
        Ok(changed == 1)
    }

    /// Forgets the attempts of `email` (after a successful login).
    pub(crate) async fn clear_attempts(&self, email: &Email) -> Result<(), StoreError> {
        self.db.execute(CLEAR, &params![email.as_str()]).await?;
        Ok(())
    }
}
