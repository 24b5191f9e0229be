//! The account's public face: a display name, and the set of roles that access
//! tokens carry.

use std::collections::BTreeSet;
use std::fmt;

use mediaflow_shared::auth::Role;
use thiserror::Error;

/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 64;

/// Why a display name was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DisplayNameError {
    /// Nothing but whitespace.
    #[error("display name is empty; enter the name other viewers should see")]
    Empty,
    /// Longer than [`MAX_DISPLAY_NAME_CHARS`].
    #[error("display name is longer than {MAX_DISPLAY_NAME_CHARS} characters; shorten it")]
    TooLong,
    /// Control characters (newlines, escapes) that would corrupt other people's
    /// screens and logs.
    #[error("display name contains control characters; use printable text only")]
    ControlCharacters,
}

/// A trimmed, printable display name of 1 to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// Trims and validates `raw`.
    pub fn parse(raw: &str) -> Result<Self, DisplayNameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(DisplayNameError::Empty);
        }
        if trimmed.chars().count() > MAX_DISPLAY_NAME_CHARS {
            return Err(DisplayNameError::TooLong);
        }
        if trimmed.chars().any(char::is_control) {
            return Err(DisplayNameError::ControlCharacters);
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DisplayName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a role assignment was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum RolesError {
    /// An empty list would leave the account unable to do anything, even watch.
    #[error("a user needs at least one role; send e.g. [\"viewer\"]")]
    Empty,
    /// The stored column is not a role list (a corrupt row).
    #[error("stored roles `{0}` are unreadable")]
    Unreadable(String),
}

/// The roles of one account: a non-empty set, kept sorted so tokens, responses and
/// events list them in one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSet(BTreeSet<Role>);

impl RoleSet {
    /// The set from a list; duplicates collapse, an empty list is refused.
    pub fn new(roles: impl IntoIterator<Item = Role>) -> Result<Self, RolesError> {
        let set: BTreeSet<Role> = roles.into_iter().collect();
        if set.is_empty() {
            return Err(RolesError::Empty);
        }
        Ok(Self(set))
    }

    /// A set of one role.
    pub fn only(role: Role) -> Self {
        Self(BTreeSet::from([role]))
    }

    /// Whether some role of the set includes the permissions of `role`
    /// (an admin may do what a viewer may).
    pub fn grants(&self, role: Role) -> bool {
        self.0.iter().any(|held| held.includes(role))
    }

    /// The roles in their canonical order.
    pub fn to_vec(&self) -> Vec<Role> {
        self.0.iter().copied().collect()
    }

    /// The form stored in the `roles` column: a JSON array such as `["viewer"]`.
    pub fn to_column(&self) -> String {
        serde_json::to_string(&self.to_vec()).expect("a list of roles serialises")
    }

    /// Reads the stored form back.
    pub fn from_column(text: &str) -> Result<Self, RolesError> {
        let roles: Vec<Role> =
            serde_json::from_str(text).map_err(|_| RolesError::Unreadable(text.to_owned()))?;
        Self::new(roles).map_err(|_| RolesError::Unreadable(text.to_owned()))
    }
}
