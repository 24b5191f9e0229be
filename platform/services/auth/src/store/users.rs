//! Account rows: creation, lookup by id or email, password upgrades and role
//! changes (which advance the user's event sequence in the same statement).

use mediaflow_shared::clock::Timestamp;
use mediaflow_shared::params;
use mediaflow_shared::store::{Row, SqlTransaction, StoreError, timestamp_to_micros};

use super::AuthStore;
use crate::domain::{Email, RoleSet};

const INSERT: &str = "INSERT INTO users \
    (id, email, display_name, password_hash, roles, created_at, updated_at, event_sequence) \
    VALUES ($1, $2, $3, $4, $5, $6, $6, 1)";

const BY_ID: &str = "SELECT id, email, display_name, password_hash, roles \
    FROM users WHERE id = $1";

const BY_EMAIL: &str = "SELECT id, email, display_name, password_hash, roles \
    FROM users WHERE email = $1";

const UPDATE_PASSWORD_HASH: &str =
    "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3";

const SET_ROLES: &str = "UPDATE users \
    SET roles = $1, updated_at = $2, event_sequence = event_sequence + 1 \
    WHERE id = $3 RETURNING event_sequence";

/// An account as stored.
#[derive(Debug, Clone)]
pub(crate) struct UserRecord {
    /// User id, the `sub` of their tokens.
    pub id: String,
    /// Normalised email.
    pub email: String,
    /// Name shown to others.
    pub display_name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Current roles.
    pub roles: RoleSet,
}

/// An account to create.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewUser<'a> {
    /// New id.
    pub id: &'a str,
    /// Normalised email.
    pub email: &'a Email,
    /// Validated display name.
    pub display_name: &'a str,
    /// Argon2id PHC string.
    pub password_hash: &'a str,
    /// Initial roles.
    pub roles: &'a RoleSet,
    /// Creation time.
    pub created_at: Timestamp,
}

fn sequence(value: i64, column: &str) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| StoreError::Decode {
        column: column.to_owned(),
        expected: "a non-negative sequence",
        found: value.to_string(),
    })
}

fn decode(row: &Row) -> Result<UserRecord, StoreError> {
    let roles: String = row.get("roles")?;
    Ok(UserRecord {
        id: row.get("id")?,
        email: row.get("email")?,
        display_name: row.get("display_name")?,
        password_hash: row.get("password_hash")?,
        roles: RoleSet::from_column(&roles).map_err(|_| StoreError::Decode {
            column: "roles".to_owned(),
            expected: "a non-empty JSON list of roles",
            found: roles.clone(),
        })?,
    })
}

fn first(rows: &[Row]) -> Result<Option<UserRecord>, StoreError> {
    rows.first().map(decode).transpose()
}

impl AuthStore {
    /// Inserts an account with event sequence 1; a taken email fails with
    /// [`StoreError::Constraint`].
    pub(crate) async fn insert_user(
        tx: &mut dyn SqlTransaction,
        user: NewUser<'_>,
    ) -> Result<(), StoreError> {
        tx.execute(
            INSERT,
            &params![
                user.id,
                user.email.as_str(),
                user.display_name,
                user.password_hash,
                user.roles.to_column(),
                timestamp_to_micros(user.created_at),
            ],
        )
        .await?;
        Ok(())
    }

    /// The account with this id.
    pub(crate) async fn find_user(&self, id: &str) -> Result<Option<UserRecord>, StoreError> {
        first(&self.db.query(BY_ID, &params![id]).await?)
    }

    /// The account with this id, read inside `tx`.
    pub(crate) async fn find_user_in(
        tx: &mut dyn SqlTransaction,
        id: &str,
    ) -> Result<Option<UserRecord>, StoreError> {
        first(&tx.query(BY_ID, &params![id]).await?)
    }

    /// The account registered under this email.
    pub(crate) async fn find_user_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<UserRecord>, StoreError> {
        first(&self.db.query(BY_EMAIL, &params![email.as_str()]).await?)
    }

    /// Replaces a password hash (an upgrade to current costs).
    pub(crate) async fn update_password_hash(
        &self,
        id: &str,
        hash: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.db
            .execute(
                UPDATE_PASSWORD_HASH,
                &params![hash, timestamp_to_micros(now), id],
            )
            .await?;
        Ok(())
    }

    /// Replaces a user's roles and advances their event sequence; the new sequence,
    /// or `None` when no such user exists.
    pub(crate) async fn set_roles(
        tx: &mut dyn SqlTransaction,
        id: &str,
        roles: &RoleSet,
        now: Timestamp,
    ) -> Result<Option<u64>, StoreError> {
        let rows = tx
            .query(
                SET_ROLES,
                &params![roles.to_column(), timestamp_to_micros(now), id],
            )
            .await?;
        rows.first()
            .map(|row| sequence(row.get("event_sequence")?, "event_sequence"))
            .transpose()
    }
}
