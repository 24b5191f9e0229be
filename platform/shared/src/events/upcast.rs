//! Upcasting: consumers read old events by migrating their payloads one schema
//! version at a time up to the newest version they know, and refuse events newer
//! than that instead of guessing at their shape.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde_json::Value;
use thiserror::Error;

use crate::events::EventEnvelope;

/// The version every event type starts at.
pub const INITIAL_VERSION: u32 = 1;

/// One migration step: a payload at version v in, the same fact at v + 1 out; the
/// error text says what the payload lacked.
pub type UpcastStep = Box<dyn Fn(Value) -> Result<Value, String> + Send + Sync>;

/// Why an event could not be brought to its current version.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum UpcastError {
    /// A step of the chain is not registered.
    #[error(
        "no upcaster from `{event_type}` v{version} to v{next}; register that step before consuming such events",
        next = version.saturating_add(1)
    )]
    MissingStep {
        /// Event type.
        event_type: String,
        /// The version with no way forward.
        version: u32,
    },
    /// The event is newer than this consumer knows.
    #[error(
        "`{event_type}` v{version} is from the future: this consumer only knows up to v{current}; deploy the newer consumer rather than guess the payload"
    )]
    FromTheFuture {
        /// Event type.
        event_type: String,
        /// The event's version.
        version: u32,
        /// The newest version this registry knows.
        current: u32,
    },
    /// A step rejected the payload.
    #[error("upcasting `{event_type}` v{from} failed: {reason}; fix the payload or the step")]
    StepFailed {
        /// Event type.
        event_type: String,
        /// The version the failing step starts from.
        from: u32,
        /// The step's explanation.
        reason: String,
    },
    /// A step was registered twice.
    #[error(
        "an upcaster from `{event_type}` v{from} is already registered; each version has exactly one step"
    )]
    DuplicateStep {
        /// Event type.
        event_type: String,
        /// The version registered twice.
        from: u32,
    },
}

/// The registry of upcasting steps, per event type.
#[derive(Default)]
pub struct Upcasters {
    steps: HashMap<String, BTreeMap<u32, UpcastStep>>,
}

impl fmt::Debug for Upcasters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (event_type, steps) in &self.steps {
            map.entry(event_type, &steps.keys().collect::<Vec<_>>());
        }
        map.finish()
    }
}

impl Upcasters {
    /// An empty registry: every type is at [`INITIAL_VERSION`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers the step taking `event_type` from `from_version` to
    /// `from_version + 1`. Registering the same step twice is an error, because
    /// silently replacing a migration hides a bug.
    pub fn register<F>(
        &mut self,
        event_type: impl Into<String>,
        from_version: u32,
        step: F,
    ) -> Result<&mut Self, UpcastError>
    where
        F: Fn(Value) -> Result<Value, String> + Send + Sync + 'static,
    {
        let event_type = event_type.into();
        let steps = self.steps.entry(event_type.clone()).or_default();
        if steps.contains_key(&from_version) {
            return Err(UpcastError::DuplicateStep {
                event_type,
                from: from_version,
            });
        }
        steps.insert(from_version, Box::new(step));
        Ok(self)
    }

    /// The newest version of `event_type` this registry can produce: one past its
    /// highest step, or [`INITIAL_VERSION`] when it has none.
    pub fn current_version(&self, event_type: &str) -> u32 {
        self.steps
            .get(event_type)
            .and_then(|steps| steps.keys().next_back())
            .map_or(INITIAL_VERSION, |last| last.saturating_add(1))
    }

    /// Brings an envelope to the current version of its type, payload and
    /// `schema_version` both; an envelope already current is returned unchanged.
    pub fn upcast(&self, mut envelope: EventEnvelope) -> Result<EventEnvelope, UpcastError> {
        let current = self.current_version(&envelope.event_type);
        if envelope.schema_version > current {
            return Err(UpcastError::FromTheFuture {
                event_type: envelope.event_type,
                version: envelope.schema_version,
                current,
            });
        }
        let steps = self.steps.get(&envelope.event_type);
        while envelope.schema_version < current {
            let version = envelope.schema_version;
            let Some(step) = steps.and_then(|steps| steps.get(&version)) else {
                return Err(UpcastError::MissingStep {
                    event_type: envelope.event_type,
                    version,
                });
            };
            let payload = std::mem::take(&mut envelope.payload);
            envelope.payload = step(payload).map_err(|reason| UpcastError::StepFailed {
                event_type: envelope.event_type.clone(),
                from: version,
                reason,
            })?;
            envelope.schema_version = version + 1;
        }
        Ok(envelope)
    }
}
