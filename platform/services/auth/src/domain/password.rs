//! Passwords as the user typed them, kept out of debug output, and the policy a new
//! password must meet (length, not the email address).

use std::fmt;

use serde::Deserialize;
use thiserror::Error;

use super::email::Email;

/// Shortest password accepted (NIST SP 800-63B recommends long passphrases over
/// composition rules).
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Longest password accepted: generous for passphrases, bounded so a request cannot
/// make the server hash megabytes.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// A plaintext password. Never printed: `Debug` shows `Password(***)`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    /// Wraps a password.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The plaintext, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Length in characters (not bytes), as users count.
    pub fn chars(&self) -> usize {
        self.0.chars().count()
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Why a new password was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PasswordError {
    /// Shorter than [`MIN_PASSWORD_CHARS`].
    #[error("password has {found} characters; use at least {MIN_PASSWORD_CHARS}")]
    TooShort {
        /// Characters given.
        found: usize,
    },
    /// Longer than [`MAX_PASSWORD_CHARS`].
    #[error("password is longer than {MAX_PASSWORD_CHARS} characters; use a shorter passphrase")]
    TooLong,
    /// Only whitespace.
    #[error("password is only whitespace; choose a passphrase with visible characters")]
    Blank,
    /// The email address itself, which is the first guess of any attacker.
    #[error("password must not be the email address; choose something else")]
    SameAsEmail,
}

/// Checks a new password against the policy for the account `email`.
pub fn check_password(password: &Password, email: &Email) -> Result<(), PasswordError> {
    let found = password.chars();
    if found < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort { found });
    }
    if found > MAX_PASSWORD_CHARS {
        return Err(PasswordError::TooLong);
    }
    let text = password.expose().trim();
    if text.is_empty() {
        return Err(PasswordError::Blank);
    }
    if text.to_lowercase() == email.as_str() {
        return Err(PasswordError::SameAsEmail);
    }
    Ok(())
}
