//! Roles carried in access tokens.

use serde::{Deserialize, Serialize};

/// What a user may do; admins may do everything creators may, creators everything
/// viewers may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Watches videos.
    Viewer,
    /// Uploads and manages own videos.
    Creator,
    /// Operates the platform.
    Admin,
}

impl Role {
    /// Whether this role includes the permissions of `other`.
    pub fn includes(self, other: Role) -> bool {
        self >= other
    }
}
