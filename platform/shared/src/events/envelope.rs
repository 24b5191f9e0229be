//! The event envelope every service publishes: identity, ordering and tracing
//! metadata around a JSON payload.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

use super::bus::{Delivery, Message};
use crate::clock::Timestamp;

/// Unique id of one event; the key idempotent consumers deduplicate on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(pub Uuid);

impl std::fmt::Display for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// An event with its metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventEnvelope {
    /// Unique event id.
    pub id: EventId,
    /// Event type, e.g. `VideoUploaded`.
    pub event_type: String,
    /// The aggregate (entity) the event belongs to.
    pub aggregate_id: String,
    /// Position in the aggregate's stream, starting at 1, without gaps.
    pub sequence: u64,
    /// When the fact happened (producer's clock).
    pub occurred_at: Timestamp,
    /// Version of the payload schema, for upcasting.
    pub schema_version: u32,
    /// Id shared by everything one user request caused.
    pub correlation_id: String,
    /// The event that caused this one, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_id: Option<EventId>,
    /// Type-specific data.
    pub payload: serde_json::Value,
}

/// Errors turning messages into envelopes and back.
#[derive(Debug, Error)]
pub enum EnvelopeError {
    /// The body is not a valid envelope.
    #[error("message body is not a valid event envelope: {0}")]
    Malformed(#[from] serde_json::Error),
    /// The payload does not match the expected type.
    #[error("payload of {event_type} v{version} does not match its schema: {source}")]
    Payload {
        /// Event type.
        event_type: String,
        /// Schema version.
        version: u32,
        /// Decoder error.
        source: serde_json::Error,
    },
}

impl EventEnvelope {
    /// The AMQP message carrying this envelope: JSON body, `message_id` = event id,
    /// event type and correlation id as headers.
    pub fn to_message(&self) -> Message {
        let body = serde_json::to_vec(self).expect("an envelope always serialises");
        Message::json(self.id.to_string(), body)
            .with_header("event-type", self.event_type.clone())
            .with_header("correlation-id", self.correlation_id.clone())
    }

    /// Parses the envelope carried by a message.
    pub fn from_message(message: &Message) -> Result<Self, EnvelopeError> {
        Ok(serde_json::from_slice(&message.body)?)
    }

    /// Parses the envelope carried by a delivery.
    pub fn from_delivery(delivery: &Delivery) -> Result<Self, EnvelopeError> {
        Self::from_message(&delivery.message)
    }

    /// Decodes the payload into a typed event.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, EnvelopeError> {
        serde_json::from_value(self.payload.clone()).map_err(|source| EnvelopeError::Payload {
            event_type: self.event_type.clone(),
            version: self.schema_version,
            source,
        })
    }
}
