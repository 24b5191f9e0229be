//! Role administration. The caller's admin role is checked twice: in the token, and
//! in the database, because a token keeps the roles of its issue time and a
//! demoted administrator's token must not keep granting roles until it expires.

use mediaflow_shared::auth::{Claims, Role};
use mediaflow_shared::events::outbox::Outbox;
use mediaflow_shared::events::platform::EVENTS_EXCHANGE;

use super::{AuthService, UserRoles};
use crate::domain::RoleSet;
use crate::error::AuthError;
use crate::events::{USER_ROLES_CHANGED, USER_ROLES_CHANGED_KEY, UserEvent, UserRolesChanged};
use crate::store::AuthStore;

/// Why a non-administrator is refused.
const ADMIN_REQUIRED: &str = "this operation requires the admin role";

impl AuthService {
    /// Replaces the roles of `user_id` on behalf of administrator `caller`, and
    /// records `UserRolesChanged` in the same transaction.
    pub async fn set_roles(
        &self,
        caller: &Claims,
        user_id: &str,
        roles: Vec<Role>,
        correlation_id: &str,
    ) -> Result<UserRoles, AuthError> {
        if !caller.has_role(Role::Admin) {
            return Err(AuthError::Forbidden(ADMIN_REQUIRED));
        }
        self.ensure_session(caller).await?;
        let roles = RoleSet::new(roles)?;
        let still_admin = self
            .store
            .find_user(&caller.sub)
            .await?
            .is_some_and(|admin| admin.roles.grants(Role::Admin));
        if !still_admin {
            return Err(AuthError::Forbidden(ADMIN_REQUIRED));
        }
        if caller.sub == user_id && !roles.grants(Role::Admin) {
            return Err(AuthError::SelfDemotion);
        }

        let now = self.clock.now();
        let mut tx = self.store.db().begin().await?;
        let Some(sequence) = AuthStore::set_roles(tx.as_mut(), user_id, &roles, now).await? else {
            return Err(AuthError::UserNotFound);
        };
        let event = UserEvent {
            event_type: USER_ROLES_CHANGED,
            user_id,
            sequence,
            occurred_at: now,
            correlation_id,
        }
        .envelope(
            &self.ids,
            &UserRolesChanged {
                user_id: user_id.to_owned(),
                roles: roles.to_vec(),
                changed_by: caller.sub.clone(),
                changed_at: now,
            },
        );
        Outbox::enqueue(tx.as_mut(), EVENTS_EXCHANGE, USER_ROLES_CHANGED_KEY, &event).await?;
        tx.commit().await?;
        self.wake_relay();
        Ok(UserRoles {
            user_id: user_id.to_owned(),
            roles: roles.to_vec(),
        })
    }
}
