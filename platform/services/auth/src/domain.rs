//! Pure rules of the auth service, without IO: identifiers and their validation,
//! the password policy, lockout arithmetic and the content of tokens.

pub mod email;
pub mod lockout;
pub mod password;
pub mod profile;
pub mod tokens;

pub use email::{Email, EmailError, MAX_EMAIL_LEN};
pub use lockout::{AttemptRecord, Locked, LockoutPolicy};
pub use password::{
    MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, Password, PasswordError, check_password,
};
pub use profile::{DisplayName, DisplayNameError, MAX_DISPLAY_NAME_CHARS, RoleSet, RolesError};
pub use tokens::{BEARER, ClaimsTemplate, TokenPair, constant_time_eq, fingerprint};
