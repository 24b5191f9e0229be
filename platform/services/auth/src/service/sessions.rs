//! Sessions: opening one at login, rotating its refresh token (reuse revokes the
//! whole family), logout, and the liveness check for access tokens.

use mediaflow_shared::auth::Claims;
use mediaflow_shared::clock::{Timestamp, chrono_duration};
use mediaflow_shared::store::{is_conflict, retry_conflicts};

use super::AuthService;
use crate::domain::{BEARER, RoleSet, TokenPair, constant_time_eq, fingerprint};
use crate::error::AuthError;
use crate::store::{AuthStore, NewRefreshToken, RevokeReason};

/// A refresh token that verified and matches its stored fingerprint.
struct PresentedRefresh {
    /// Its claims.
    claims: Claims,
    /// Its family (session).
    family: String,
}

impl AuthService {
    /// Starts a session (refresh-token family) for a user whose credentials were
    /// checked, and issues its first token pair.
    pub(super) async fn open_session(
        &self,
        user_id: &str,
        roles: &RoleSet,
    ) -> Result<TokenPair, AuthError> {
        let now = self.clock.now();
        let family = self.ids.uuid().to_string();
        let jti = self.ids.uuid().to_string();
        let refresh_token =
            self.issuer
                .sign(&self.claims.refresh(user_id, &family, jti.clone(), now));
        let mut tx = self.store.db().begin().await?;
        AuthStore::start_family(tx.as_mut(), &family, user_id, now).await?;
        AuthStore::insert_refresh_token(
            tx.as_mut(),
            self.stored_form(&jti, &family, &refresh_token, now),
        )
        .await?;
        tx.commit().await?;
        Ok(self.pair(user_id, roles, &family, refresh_token, now))
    }

    /// Exchanges a refresh token for a new pair of the same session. The presented
    /// token is used up; presenting it again (even concurrently, which the server
    /// cannot tell from theft) revokes the session. The new access token carries
    /// the user's roles as stored now. Of two concurrent refreshes that collide on
    /// PostgreSQL (SERIALIZABLE), the one aborted is redone whole and then finds
    /// the token used, as it would have had it waited its turn.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenPair, AuthError> {
        retry_conflicts(
            || self.rotate(refresh_token),
            |error| matches!(error, AuthError::Store(store) if is_conflict(store)),
        )
        .await
    }

    /// One attempt of [`Self::refresh`]: the rotation in one transaction.
    async fn rotate(&self, refresh_token: &str) -> Result<TokenPair, AuthError> {
        let PresentedRefresh { claims, family } = self.presented_refresh(refresh_token).await?;
        let now = self.clock.now();
        let next_jti = self.ids.uuid().to_string();
        let next_token = self.issuer.sign(&self.claims.refresh(
            &claims.sub,
            &family,
            next_jti.clone(),
            now,
        ));

        let mut tx = self.store.db().begin().await?;
        if !AuthStore::touch_live_family(tx.as_mut(), &family, now).await? {
            return Err(AuthError::SessionRevoked);
        }
        if !AuthStore::claim_refresh_token(tx.as_mut(), &claims.jti, &next_jti, now).await? {
            AuthStore::revoke_family_in(tx.as_mut(), &family, RevokeReason::Reuse, now).await?;
            tx.commit().await?;
            return Err(AuthError::RefreshReuse);
        }
        let Some(user) = AuthStore::find_user_in(tx.as_mut(), &claims.sub).await? else {
            return Err(AuthError::InvalidRefreshToken);
        };
        AuthStore::insert_refresh_token(
            tx.as_mut(),
            self.stored_form(&next_jti, &family, &next_token, now),
        )
        .await?;
        tx.commit().await?;
        Ok(self.pair(&user.id, &user.roles, &family, next_token, now))
    }

    /// Ends the session of a refresh token. Idempotent: logging out of an already
    /// revoked session succeeds.
    pub async fn logout(&self, refresh_token: &str) -> Result<(), AuthError> {
        let PresentedRefresh { family, .. } = self.presented_refresh(refresh_token).await?;
        self.store
            .revoke_family(&family, RevokeReason::Logout, self.clock.now())
            .await?;
        Ok(())
    }

    /// Refuses an access token whose session was revoked. Tokens without a session
    /// (`fam`) can only come from another holder of the signing keys and are
    /// trusted as signed.
    pub(super) async fn ensure_session(&self, caller: &Claims) -> Result<(), AuthError> {
        match &caller.fam {
            Some(family) if !self.store.family_is_live(family).await? => {
                Err(AuthError::SessionRevoked)
            }
            _ => Ok(()),
        }
    }

    /// Verifies a refresh token (signature, expiry, issuer, audience, type) and
    /// matches it against the stored fingerprint of its id.
    async fn presented_refresh(&self, token: &str) -> Result<PresentedRefresh, AuthError> {
        let claims = self
            .refresh_verifier
            .verify(token)
            .map_err(|_| AuthError::InvalidRefreshToken)?;
        let family = claims.fam.clone().ok_or(AuthError::InvalidRefreshToken)?;
        let stored = self
            .store
            .find_refresh_token(&claims.jti)
            .await?
            .ok_or(AuthError::InvalidRefreshToken)?;
        let same_token =
            constant_time_eq(stored.token_hash.as_bytes(), fingerprint(token).as_bytes());
        if !same_token || stored.family_id != family || stored.user_id != claims.sub {
            return Err(AuthError::InvalidRefreshToken);
        }
        Ok(PresentedRefresh { claims, family })
    }

    /// The row stored for a refresh token issued at `now`.
    fn stored_form<'a>(
        &self,
        jti: &'a str,
        family: &'a str,
        token: &str,
        now: Timestamp,
    ) -> NewRefreshToken<'a> {
        NewRefreshToken {
            jti,
            family_id: family,
            token_hash: fingerprint(token),
            issued_at: now,
            expires_at: now + chrono_duration(self.claims.refresh_ttl),
        }
    }

    /// A token pair: a fresh access token plus `refresh_token`.
    fn pair(
        &self,
        user_id: &str,
        roles: &RoleSet,
        family: &str,
        refresh_token: String,
        now: Timestamp,
    ) -> TokenPair {
        let access = self
            .claims
            .access(user_id, roles, family, self.ids.uuid().to_string(), now);
        TokenPair {
            access_token: self.issuer.sign(&access),
            refresh_token,
            token_type: BEARER.to_owned(),
            expires_in: self.claims.access_expires_in(),
        }
    }
}
