//! A failed command: the message for the person at the terminal and the exit code.

use crate::exit;
use crate::infra::engine::EngineError;
use crate::infra::overrides::UnknownService;
use crate::infra::spec::SpecError;
use crate::infra::{DownError, UpError};
use crate::workspace::WorkspaceError;

/// Why a command stopped, already worded for the user (lowercase, says what to do).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    /// The exit code (see [`crate::exit`]).
    pub code: u8,
    /// The message, printed after `error: `; may span lines (log excerpts).
    pub message: String,
}

impl Failure {
    /// Wrong arguments or an invalid spec/config: exit 2.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: exit::USAGE_OR_ENVIRONMENT,
            message: message.into(),
        }
    }

    /// The environment is not as needed (no engine, unhealthy service): exit 2.
    pub fn environment(message: impl Into<String>) -> Self {
        Self {
            code: exit::USAGE_OR_ENVIRONMENT,
            message: message.into(),
        }
    }
}

impl From<WorkspaceError> for Failure {
    fn from(error: WorkspaceError) -> Self {
        Self::usage(error.to_string())
    }
}

impl From<SpecError> for Failure {
    fn from(error: SpecError) -> Self {
        Self::usage(error.to_string())
    }
}

impl From<UnknownService> for Failure {
    fn from(error: UnknownService) -> Self {
        Self::usage(error.to_string())
    }
}

impl From<EngineError> for Failure {
    fn from(error: EngineError) -> Self {
        Self::environment(error.to_string())
    }
}

impl From<UpError> for Failure {
    fn from(error: UpError) -> Self {
        Self::environment(error.to_string())
    }
}

impl From<DownError> for Failure {
    fn from(error: DownError) -> Self {
        Self::environment(error.to_string())
    }
}

impl From<crate::play::infra_choice::DockerUnavailable> for Failure {
    fn from(error: crate::play::infra_choice::DockerUnavailable) -> Self {
        Self::environment(error.to_string())
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        Self::environment(format!("cannot write output: {error}"))
    }
}

impl From<crate::play::PlayError> for Failure {
    fn from(error: crate::play::PlayError) -> Self {
        match error {
            crate::play::PlayError::UnknownCategory { .. } => Self::usage(error.to_string()),
            other => Self::environment(other.to_string()),
        }
    }
}
