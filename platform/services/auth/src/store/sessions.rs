//! Refresh-token families (sessions) and their tokens. Tokens are stored by id
//! with a SHA-256 fingerprint, never in clear. Rotation claims a token with a
//! conditional update, so of two concurrent refreshes with one token exactly one
//! claims it; the other sees a used token, which is reuse.

use mediaflow_shared::clock::Timestamp;
use mediaflow_shared::params;
use mediaflow_shared::store::{SqlTransaction, StoreError, timestamp_to_micros};

use super::AuthStore;

const START_FAMILY: &str = "INSERT INTO refresh_families (id, user_id, created_at, last_rotated_at) \
    VALUES ($1, $2, $3, $3)";

const INSERT_TOKEN: &str = "INSERT INTO refresh_tokens \
    (jti, family_id, token_hash, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5)";

const FIND_TOKEN: &str = "SELECT t.family_id, t.token_hash, f.user_id \
    FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id WHERE t.jti = $1";

const TOUCH_LIVE_FAMILY: &str = "UPDATE refresh_families SET last_rotated_at = $1 \
    WHERE id = $2 AND revoked_at IS NULL";

const CLAIM_TOKEN: &str = "UPDATE refresh_tokens SET used_at = $1, replaced_by = $2 \
    WHERE jti = $3 AND used_at IS NULL";

const REVOKE_FAMILY: &str = "UPDATE refresh_families SET revoked_at = $1, revoked_reason = $2 \
    WHERE id = $3 AND revoked_at IS NULL";

const FAMILY_STATE: &str = "SELECT revoked_at FROM refresh_families WHERE id = $1";

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RevokeReason {
    /// The user logged out.
    Logout,
    /// A used refresh token was presented again: the family may be stolen.
    Reuse,
}

impl RevokeReason {
    fn as_str(self) -> &'static str {
        match self {
            Self::Logout => "logout",
            Self::Reuse => "reuse",
        }
    }
}

/// A refresh token as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredRefreshToken {
    /// Its family.
    pub family_id: String,
    /// Fingerprint of the token text.
    pub token_hash: String,
    /// Owner of the family.
    pub user_id: String,
}

/// A refresh token to store.
#[derive(Debug, Clone)]
pub(crate) struct NewRefreshToken<'a> {
    /// Token id (`jti`).
    pub jti: &'a str,
    /// Family (`fam`).
    pub family_id: &'a str,
    /// Fingerprint of the token text.
    pub token_hash: String,
    /// `iat`.
    pub issued_at: Timestamp,
    /// `exp`.
    pub expires_at: Timestamp,
}

impl AuthStore {
    /// Opens a session for `user_id`.
    pub(crate) async fn start_family(
        tx: &mut dyn SqlTransaction,
        family_id: &str,
        user_id: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        tx.execute(
            START_FAMILY,
            &params![family_id, user_id, timestamp_to_micros(now)],
        )
        .await?;
        Ok(())
    }

    /// Stores a refresh token of an existing family.
    pub(crate) async fn insert_refresh_token(
        tx: &mut dyn SqlTransaction,
        token: NewRefreshToken<'_>,
    ) -> Result<(), StoreError> {
        tx.execute(
            INSERT_TOKEN,
            &params![
                token.jti,
                token.family_id,
                token.token_hash,
                timestamp_to_micros(token.issued_at),
                timestamp_to_micros(token.expires_at),
            ],
        )
        .await?;
        Ok(())
    }

    /// The stored refresh token `jti`, with its family's owner.
    pub(crate) async fn find_refresh_token(
        &self,
        jti: &str,
    ) -> Result<Option<StoredRefreshToken>, StoreError> {
        let rows = self.db.query(FIND_TOKEN, &params![jti]).await?;
        rows.first()
            .map(|row| {
                Ok(StoredRefreshToken {
                    family_id: row.get("family_id")?,
                    token_hash: row.get("token_hash")?,
                    user_id: row.get("user_id")?,
                })
            })
            .transpose()
    }

    /// Marks a family as rotated, if it is not revoked; `false` when it is (or does
    /// not exist). On PostgreSQL this also locks the family row until commit, so a
    /// concurrent logout waits for the rotation or the rotation sees the logout.
    pub(crate) async fn touch_live_family(
        tx: &mut dyn SqlTransaction,
        family_id: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let changed = tx
            .execute(
                TOUCH_LIVE_FAMILY,
                &params![timestamp_to_micros(now), family_id],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Marks refresh token `jti` used and replaced by `replaced_by`, if it was not
    /// used yet; `false` when it already was (reuse).
    pub(crate) async fn claim_refresh_token(
        tx: &mut dyn SqlTransaction,
        jti: &str,
        replaced_by: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let changed = tx
            .execute(
                CLAIM_TOKEN,
                &params![timestamp_to_micros(now), replaced_by, jti],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Revokes a family inside `tx`; `false` when it was already revoked.
    pub(crate) async fn revoke_family_in(
        tx: &mut dyn SqlTransaction,
        family_id: &str,
        reason: RevokeReason,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let changed = tx
            .execute(
                REVOKE_FAMILY,
                &params![timestamp_to_micros(now), reason.as_str(), family_id],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Revokes a family; `false` when it was already revoked.
    pub(crate) async fn revoke_family(
        &self,
        family_id: &str,
        reason: RevokeReason,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let changed = self
            .db
            .execute(
                REVOKE_FAMILY,
                &params![timestamp_to_micros(now), reason.as_str(), family_id],
            )
            .await?;
        Ok(changed == 1)
    }

    /// Whether session `family_id` exists and is not revoked.
    pub(crate) async fn family_is_live(&self, family_id: &str) -> Result<bool, StoreError> {
        let rows = self.db.query(FAMILY_STATE, &params![family_id]).await?;
        match rows.first() {
            Some(row) => Ok(row.get::<Option<i64>>("revoked_at")?.is_none()),
            None => Ok(false),
        }
    }
}
