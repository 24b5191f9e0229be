//! Accounts: registration (hash, row and `UserRegistered` in one transaction),
//! login with lockout and equal cost for unknown emails, and the caller's profile.

use mediaflow_shared::auth::{Claims, Role};
use mediaflow_shared::events::outbox::Outbox;
use mediaflow_shared::events::platform::EVENTS_EXCHANGE;
use mediaflow_shared::store::StoreError;
use serde::Deserialize;

use super::{AuthService, UserProfile};
use crate::domain::{DisplayName, Email, Password, RoleSet, TokenPair, check_password};
use crate::error::AuthError;
use crate::events::{USER_REGISTERED, USER_REGISTERED_KEY, UserEvent, UserRegistered};
use crate::store::{AuthStore, NewUser};

/// How often a login re-reads the attempt record after losing a race to a
/// concurrent login for the same email before giving up with 503.
const MAX_ATTEMPT_RACES: usize = 32;

/// What a client sends to register.
#[derive(Debug, Clone, Deserialize)]
pub struct Registration {
    /// Email address; normalised before use.
    pub email: String,
    /// Password; must meet the policy.
    pub password: Password,
    /// Name shown to others.
    pub display_name: String,
}

impl AuthService {
    /// Creates an account with the viewer role (admin for a bootstrap address) and
    /// records `UserRegistered` in the same transaction; the new user's id.
    pub async fn register(
        &self,
        registration: Registration,
        correlation_id: &str,
    ) -> Result<String, AuthError> {
        let email = Email::parse(&registration.email)?;
        check_password(&registration.password, &email)?;
        let display_name = DisplayName::parse(&registration.display_name)?;
        let roles = if self.bootstrap_admins.contains(&email) {
            RoleSet::only(Role::Admin)
        } else {
            RoleSet::only(Role::Viewer)
        };
        let password = registration.password;
        let password_hash = self.hashing(move |hasher| hasher.hash(&password)).await?;

        let now = self.clock.now();
        let user_id = self.ids.uuid().to_string();
        let user = NewUser {
            id: &user_id,
            email: &email,
            display_name: display_name.as_str(),
            password_hash: &password_hash,
            roles: &roles,
            created_at: now,
        };
        let event = UserEvent {
            event_type: USER_REGISTERED,
            user_id: &user_id,
            sequence: 1,
            occurred_at: now,
            correlation_id,
        }
        .envelope(
            &self.ids,
            &UserRegistered {
                user_id: user_id.clone(),
                email: email.to_string(),
                display_name: display_name.to_string(),
                roles: roles.to_vec(),
                registered_at: now,
            },
        );
        let mut tx = self.store.db().begin().await?;
        match AuthStore::insert_user(tx.as_mut(), user).await {
            Err(StoreError::Constraint(message)) if message.contains("email") => {
                return Err(AuthError::EmailTaken);
            }
            other => other?,
        }
        Outbox::enqueue(tx.as_mut(), EVENTS_EXCHANGE, USER_REGISTERED_KEY, &event).await?;
        tx.commit().await?;
        self.wake_relay();
        Ok(user_id)
    }

    /// Checks credentials and opens a session. Unknown emails and wrong passwords
    /// fail alike and cost one password verification alike; every attempt counts
    /// towards the lockout before its password is checked.
    pub async fn login(&self, email: &str, password: Password) -> Result<TokenPair, AuthError> {
        let Ok(email) = Email::parse(email) else {
            self.hashing(move |hasher| hasher.verify_unknown(&password))
                .await?;
            return Err(AuthError::InvalidCredentials);
        };
        self.reserve_attempt(&email).await?;
        let user = self.store.find_user_by_email(&email).await?;
        let candidate = password.clone();
        let verified = match &user {
            Some(user) => {
                let stored = user.password_hash.clone();
                self.hashing(move |hasher| hasher.verify(&candidate, &stored))
                    .await?
            }
            None => {
                self.hashing(move |hasher| hasher.verify_unknown(&candidate))
                    .await?
            }
        };
        let user = match user {
            Some(user) if verified => user,
            _ => return Err(AuthError::InvalidCredentials),
        };
        self.store.clear_attempts(&email).await?;
        if self.hasher.needs_rehash(&user.password_hash) {
            let upgraded = self.hashing(move |hasher| hasher.hash(&password)).await?;
            self.store
                .update_password_hash(&user.id, &upgraded, self.clock.now())
                .await?;
        }
        self.open_session(&user.id, &user.roles).await
    }

    /// Counts one login attempt for `email`, or refuses it while the email is locked.
    async fn reserve_attempt(&self, email: &Email) -> Result<(), AuthError> {
        for _ in 0..MAX_ATTEMPT_RACES {
            let now = self.clock.now();
            let stored = self.store.load_attempts(email).await?;
            let record = self
                .lockout
                .reserve(stored.map(|s| s.record), now)
                .map_err(|locked| AuthError::Locked {
                    retry_after_secs: locked.retry_after_secs(now),
                })?;
            if self
                .store
                .save_attempts(email, record, stored.map(|s| s.version))
                .await?
            {
                return Ok(());
            }
        }
        Err(AuthError::Busy)
    }

    /// The profile of the caller of an access token whose session is live.
    pub async fn me(&self, caller: &Claims) -> Result<UserProfile, AuthError> {
        self.ensure_session(caller).await?;
        let user = self
            .store
            .find_user(&caller.sub)
            .await?
            .ok_or(AuthError::UserNotFound)?;
        Ok(UserProfile {
            user_id: user.id,
            email: user.email,
            display_name: user.display_name,
            roles: user.roles.to_vec(),
        })
    }
}
