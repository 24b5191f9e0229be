//! Events the auth service publishes through its outbox to the platform's events
//! exchange, with their routing keys and payload schemas. Consumers decode the
//! payloads with `EventEnvelope::decode::<UserRegistered>()` and so on.

use mediaflow_shared::auth::Role;
use mediaflow_shared::clock::Timestamp;
use mediaflow_shared::events::platform::base_topology;
use mediaflow_shared::events::{EventEnvelope, EventId, Topology};
use mediaflow_shared::ids::IdGenerator;
use serde::{Deserialize, Serialize};

/// Routing key of [`UserRegistered`].
pub const USER_REGISTERED_KEY: &str = "auth.user.registered";
/// Envelope `event_type` of [`UserRegistered`].
pub const USER_REGISTERED: &str = "UserRegistered";
/// Routing key of [`UserRolesChanged`].
pub const USER_ROLES_CHANGED_KEY: &str = "auth.user.roles_changed";
/// Envelope `event_type` of [`UserRolesChanged`].
pub const USER_ROLES_CHANGED: &str = "UserRolesChanged";
/// Schema version of both payloads.
pub const SCHEMA_VERSION: u32 = 1;

/// An account was created. Sequence 1 of the user's stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRegistered {
    /// The new user's id (the `sub` of their tokens).
    pub user_id: String,
    /// Normalised email address.
    pub email: String,
    /// Name shown to others.
    pub display_name: String,
    /// Roles granted at registration.
    pub roles: Vec<Role>,
    /// When the account was created.
    pub registered_at: Timestamp,
}

/// An administrator replaced a user's roles, so services caching permissions
/// know to drop them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRolesChanged {
    /// Whose roles changed.
    pub user_id: String,
    /// The roles now held.
    pub roles: Vec<Role>,
    /// The administrator who changed them.
    pub changed_by: String,
    /// When.
    pub changed_at: Timestamp,
}

/// The topology the auth service needs: it only publishes, to the shared events
/// exchange, so the platform's base fragment is all it declares.
pub fn topology() -> Topology {
    base_topology()
}

/// Metadata of one event about a user.
#[derive(Debug, Clone, Copy)]
pub(crate) struct UserEvent<'a> {
    /// Envelope `event_type`.
    pub event_type: &'a str,
    /// The user (aggregate) id.
    pub user_id: &'a str,
    /// Position in the user's stream.
    pub sequence: u64,
    /// When it happened.
    pub occurred_at: Timestamp,
    /// The request that caused it.
    pub correlation_id: &'a str,
}

impl UserEvent<'_> {
    /// The envelope carrying `payload`.
    pub(crate) fn envelope(self, ids: &IdGenerator, payload: &impl Serialize) -> EventEnvelope {
        EventEnvelope {
            id: EventId(ids.uuid()),
            event_type: self.event_type.to_owned(),
            aggregate_id: self.user_id.to_owned(),
            sequence: self.sequence,
            occurred_at: self.occurred_at,
            schema_version: SCHEMA_VERSION,
            correlation_id: self.correlation_id.to_owned(),
            causation_id: None,
            payload: serde_json::to_value(payload).expect("event payloads serialise"),
        }
    }
}
