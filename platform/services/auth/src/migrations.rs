//! Schema of the auth database: accounts, login attempts, refresh-token families
//! and their tokens, plus the shared outbox.

use mediaflow_shared::events::outbox::Outbox;
use mediaflow_shared::store::{Migration, MigrationReport, SqlStore, StoreError, migrate};

/// The service's own migrations, numbered from 1.
const AUTH: &[Migration] = &[Migration {
    version: 1,
    name: "accounts and sessions",
    sql: "
        CREATE TABLE users (
            id TEXT PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            roles TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            -- Sequence of the user's last event, so events of one user are numbered
            -- without gaps across registration and role changes.
            event_sequence BIGINT NOT NULL
        );

        -- Keyed by email rather than user id: unknown addresses are counted too, so
        -- the lockout answer does not reveal which addresses have accounts.
        CREATE TABLE login_attempts (
            email TEXT PRIMARY KEY,
            failures BIGINT NOT NULL,
            window_started_at BIGINT NOT NULL,
            locked_until BIGINT,
            version BIGINT NOT NULL
        );

        CREATE TABLE refresh_families (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            created_at BIGINT NOT NULL,
            last_rotated_at BIGINT NOT NULL,
            revoked_at BIGINT,
            revoked_reason TEXT
        );
        CREATE INDEX refresh_families_user ON refresh_families (user_id);

        CREATE TABLE refresh_tokens (
            jti TEXT PRIMARY KEY,
            family_id TEXT NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE,
            token_hash TEXT NOT NULL,
            issued_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL,
            used_at BIGINT,
            replaced_by TEXT
        );
        CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
    ",
}];

/// Every migration the auth database needs: the service's, then the outbox's.
pub fn all() -> Vec<Migration> {
    let mut migrations = AUTH.to_vec();
    migrations.extend_from_slice(Outbox::migrations());
    migrations
}

/// Brings an auth database up to date (startup does this; tests that drive
/// [`crate::AuthService`] directly call it first).
pub async fn apply(db: &dyn SqlStore) -> Result<MigrationReport, StoreError> {
    migrate(db, &all()).await
}
