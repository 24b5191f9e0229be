//! The auth service's use cases, independent of HTTP: registration, login with
//! lockout, session rotation and revocation, profile and role administration.
//! Handlers are thin adapters over [`AuthService`]; tests may drive it directly.

mod accounts;
mod admin;
mod sessions;

use std::sync::Arc;

use mediaflow_shared::Infra;
use mediaflow_shared::auth::{JwtIssuer, JwtVerifier, Role, TokenType};
use mediaflow_shared::clock::SharedClock;
use mediaflow_shared::events::outbox::RelayWaker;
use mediaflow_shared::ids::IdGenerator;
use serde::{Deserialize, Serialize};

pub use self::accounts::Registration;
use crate::domain::{ClaimsTemplate, Email, LockoutPolicy};
use crate::error::AuthError;
use crate::hashing::{HashingError, HashingStats, PasswordHasher};
use crate::settings::Settings;
use crate::store::AuthStore;
use crate::{SERVICE, StartError};

/// A user as `/me` shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserProfile {
    /// User id (`sub` of their tokens).
    pub user_id: String,
    /// Normalised email.
    pub email: String,
    /// Name shown to others.
    pub display_name: String,
    /// Current roles, sorted.
    pub roles: Vec<Role>,
}

/// A user's roles after an administrator changed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRoles {
    /// Whose roles.
    pub user_id: String,
    /// The roles now held, sorted.
    pub roles: Vec<Role>,
}

/// The use cases of the auth service over its database, hasher and keys.
#[derive(Debug)]
pub struct AuthService {
    /// SQL access.
    store: AuthStore,
    /// Argon2id, shared with blocking tasks.
    hasher: Arc<PasswordHasher>,
    /// Signs with the active key of the key set.
    issuer: JwtIssuer,
    /// Verifies access tokens (bearer auth of `/me` and admin routes).
    access_verifier: Arc<JwtVerifier>,
    /// Verifies refresh tokens presented to `/refresh` and `/logout`.
    refresh_verifier: JwtVerifier,
    /// Issuer, audience and lifetimes of new tokens.
    claims: ClaimsTemplate,
    /// Failed-login limits.
    lockout: LockoutPolicy,
    /// Emails whose registration grants admin.
    bootstrap_admins: Vec<Email>,
    /// Time of tokens, attempts and events.
    clock: SharedClock,
    /// Ids of users, sessions, tokens and events.
    ids: Arc<IdGenerator>,
    /// Publishes committed events at once instead of at the relay's next tick.
    relay: Option<RelayWaker>,
}

impl AuthService {
    /// The service over `infra`'s auth database (which must be migrated, see
    /// [`crate::migrations::apply`]) with `settings`. Fails on unusable hashing
    /// costs or leeway; computes the dummy hash once.
    pub fn new(infra: &Infra, settings: &Settings) -> Result<Self, StartError> {
        let salt_seed = infra.ids.uuid().as_u64_pair().0;
        let hasher = PasswordHasher::new(settings.hashing, salt_seed)?;
        let keys = settings.jwt.keys.clone();
        let verifier = |typ| {
            JwtVerifier::new(
                settings.jwt.verifier_config(typ),
                keys.clone(),
                infra.clock.clone(),
            )
        };
        Ok(Self {
            store: AuthStore::new(infra.database(SERVICE)),
            hasher: Arc::new(hasher),
            issuer: JwtIssuer::new(keys.clone()),
            access_verifier: Arc::new(verifier(TokenType::Access)?),
            refresh_verifier: verifier(TokenType::Refresh)?,
            claims: ClaimsTemplate::from_settings(&settings.jwt),
            lockout: settings.lockout,
            bootstrap_admins: settings.bootstrap_admins.clone(),
            clock: infra.clock.clone(),
            ids: infra.ids.clone(),
            relay: None,
        })
    }

    /// Wakes `relay` after each commit that enqueued events.
    #[must_use]
    pub fn with_relay(mut self, relay: RelayWaker) -> Self {
        self.relay = Some(relay);
        self
    }

    /// The access-token verifier the bearer extractor uses.
    pub fn access_verifier(&self) -> Arc<JwtVerifier> {
        Arc::clone(&self.access_verifier)
    }

    /// Password hashing work done so far.
    pub fn hashing_stats(&self) -> HashingStats {
        self.hasher.stats()
    }

    /// Runs CPU-heavy hashing off the async executor.
    async fn hashing<T: Send + 'static>(
        &self,
        job: impl FnOnce(&PasswordHasher) -> Result<T, HashingError> + Send + 'static,
    ) -> Result<T, AuthError> {
        let hasher = Arc::clone(&self.hasher);
        let outcome = tokio::task::spawn_blocking(move || job(&hasher))
            .await
            .map_err(|e| AuthError::Task(e.to_string()))?;
        Ok(outcome?)
    }

    /// Asks the outbox relay for a pass (after a commit that enqueued events).
    fn wake_relay(&self) {
        if let Some(relay) = &self.relay {
            relay.wake();
        }
    }
}
