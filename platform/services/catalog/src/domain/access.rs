//! Who may see and change which video. Pure rules over the caller's verified
//! claims, so every route applies the same policy and tests can table it.
//!
//! A video the caller may not see is reported as missing, never as forbidden, so
//! ids of unpublished videos do not leak.

use mediaflow_shared::auth::{Claims, Role};

use super::status::{Action, VideoStatus};

/// The verified identity behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The user id (`sub`).
    pub user_id: String,
    /// The highest role held.
    pub role: Role,
}

impl Caller {
    /// The caller described by verified access-token claims; a token without roles
    /// is a viewer.
    pub fn from_claims(claims: &Claims) -> Self {
        Self {
            user_id: claims.sub.clone(),
            role: claims.roles.iter().copied().max().unwrap_or(Role::Viewer),
        }
    }

    /// Whether the caller administers the platform.
    pub fn is_admin(&self) -> bool {
        self.role.includes(Role::Admin)
    }

    /// Whether the caller owns a video.
    pub fn owns(&self, owner_id: &str) -> bool {
        self.user_id == owner_id
    }
}

/// Who is asking: nobody in particular, or a verified caller.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Viewer {
    /// No token: public access only.
    #[default]
    Anonymous,
    /// A verified caller.
    User(Caller),
}

impl Viewer {
    /// The caller, if any.
    pub fn caller(&self) -> Option<&Caller> {
        match self {
            Self::Anonymous => None,
            Self::User(caller) => Some(caller),
        }
    }

    /// Whether the viewer administers the platform.
    pub fn is_admin(&self) -> bool {
        self.caller().is_some_and(Caller::is_admin)
    }
}

/// Which videos a listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListScope {
    /// Published videos only.
    Public,
    /// Every video, whatever its state (administrators).
    Everything,
}

impl ListScope {
    /// The scope of `viewer`.
    pub fn of(viewer: &Viewer) -> Self {
        if viewer.is_admin() {
            Self::Everything
        } else {
            Self::Public
        }
    }

    /// Short name, part of list cache keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Everything => "all",
        }
    }
}

/// Why a change is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// The caller may not even see the video: answer as if it did not exist.
    Hidden,
    /// The caller sees the video but may not do this.
    Forbidden,
}

/// Whether `viewer` may see a video: published ones are public, the rest only to
/// their owner and administrators.
pub fn can_view(viewer: &Viewer, status: VideoStatus, owner_id: &str) -> bool {
    status == VideoStatus::Published
        || viewer
            .caller()
            .is_some_and(|caller| caller.is_admin() || caller.owns(owner_id))
}

/// Whether `caller` may create videos: creators and administrators.
pub fn can_create(caller: &Caller) -> bool {
    caller.role.includes(Role::Creator)
}

/// Whether `caller` may edit a video's metadata: its owner or an administrator.
pub fn check_edit(caller: &Caller, status: VideoStatus, owner_id: &str) -> Result<(), Denied> {
    if caller.is_admin() || caller.owns(owner_id) {
        Ok(())
    } else if status == VideoStatus::Published {
        Err(Denied::Forbidden)
    } else {
        Err(Denied::Hidden)
    }
}

/// Whether `caller` may take `action` on a video: owners submit and archive their
/// own videos; publishing, unpublishing and completing processing are for
/// administrators.
pub fn check_action(
    caller: &Caller,
    action: Action,
    status: VideoStatus,
    owner_id: &str,
) -> Result<(), Denied> {
    check_edit(caller, status, owner_id)?;
    if action.admin_only() && !caller.is_admin() {
        return Err(Denied::Forbidden);
    }
    Ok(())
}
