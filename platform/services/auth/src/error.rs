//! Errors of the auth service's use cases, and the HTTP answer each one becomes.
//! Credential failures are deliberately vague (one error for unknown email and
//! wrong password); infrastructure failures are logged and answered generically.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mediaflow_shared::http::ApiError;
use mediaflow_shared::store::StoreError;
use thiserror::Error;

use crate::domain::{DisplayNameError, EmailError, PasswordError, RolesError};
use crate::hashing::HashingError;

/// Why an auth operation failed.
#[derive(Debug, Error)]
pub enum AuthError {
    /// The email is malformed.
    #[error(transparent)]
    InvalidEmail(#[from] EmailError),
    /// The new password breaks the policy.
    #[error(transparent)]
    WeakPassword(#[from] PasswordError),
    /// The display name is unusable.
    #[error(transparent)]
    InvalidDisplayName(#[from] DisplayNameError),
    /// The role list is unusable.
    #[error(transparent)]
    InvalidRoles(#[from] RolesError),
    /// The email already has an account.
    #[error("an account with this email already exists; log in or use another address")]
    EmailTaken,
    /// Unknown email or wrong password; which one is not said.
    #[error("email or password is incorrect")]
    InvalidCredentials,
    /// Too many failed logins for this email.
    #[error("too many failed logins; try again in {retry_after_secs} seconds")]
    Locked {
        /// Seconds until logins are accepted again.
        retry_after_secs: u64,
    },
    /// The refresh token is malformed, expired, unknown or not ours.
    #[error("refresh token is invalid or expired; log in again")]
    InvalidRefreshToken,
    /// A used refresh token was presented again; its whole session was revoked.
    #[error("refresh token was already used; the session was revoked for safety, log in again")]
    RefreshReuse,
    /// The session (refresh-token family) was revoked by logout or reuse.
    #[error("session was revoked; log in again")]
    SessionRevoked,
    /// The caller lacks a role.
    #[error("{0}")]
    Forbidden(&'static str),
    /// No such user.
    #[error("no user with this id")]
    UserNotFound,
    /// An administrator tried to drop their own admin role.
    #[error("administrators cannot remove their own admin role; ask another administrator")]
    SelfDemotion,
    /// Concurrent logins for one email kept conflicting.
    #[error("the account is busy with concurrent logins; retry shortly")]
    Busy,
    /// The database failed.
    #[error("auth database error: {0}")]
    Store(#[from] StoreError),
    /// Password hashing failed.
    #[error(transparent)]
    Hashing(#[from] HashingError),
    /// A background hashing task died.
    #[error("password hashing task failed: {0}")]
    Task(String),
}

impl AuthError {
    /// The HTTP answer: status, stable code and a message safe for the client.
    pub fn to_api_error(&self) -> ApiError {
        match self {
            Self::InvalidEmail(e) => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_email", e.to_string())
            }
            Self::WeakPassword(e) => {
                ApiError::new(StatusCode::BAD_REQUEST, "weak_password", e.to_string())
            }
            Self::InvalidDisplayName(e) => ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_display_name",
                e.to_string(),
            ),
            Self::InvalidRoles(e) => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid_roles", e.to_string())
            }
            Self::EmailTaken => {
                ApiError::new(StatusCode::CONFLICT, "email_taken", self.to_string())
            }
            Self::InvalidCredentials => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                self.to_string(),
            ),
            Self::Locked { retry_after_secs } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "account_locked",
                self.to_string(),
            )
            .retry_after(*retry_after_secs),
            Self::InvalidRefreshToken => {
                ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", self.to_string())
            }
            Self::RefreshReuse => {
                ApiError::new(StatusCode::UNAUTHORIZED, "token_reused", self.to_string())
            }
            Self::SessionRevoked => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "session_revoked",
                self.to_string(),
            ),
            Self::Forbidden(message) => ApiError::forbidden(*message),
            Self::UserNotFound => ApiError::not_found(self.to_string()),
            Self::SelfDemotion => ApiError::conflict(self.to_string()),
            Self::Busy => ApiError::unavailable(self.to_string()).retry_after(1),
            Self::Store(StoreError::Unavailable(_) | StoreError::Conflict(_)) => {
                ApiError::unavailable("the account store is unavailable; retry shortly")
                    .retry_after(1)
            }
            Self::Store(_) | Self::Hashing(_) | Self::Task(_) => ApiError::internal(),
        }
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let api = self.to_api_error();
        if api.status.is_server_error() {
            // The client gets a generic message; the cause goes to the operator.
            eprintln!("auth: {} answered {}: {self}", api.code, api.status);
        }
        api.into_response()
    }
}
