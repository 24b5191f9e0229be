//! The connected engine handle.

use bollard::Docker;

/// A connected, version-negotiated engine.
///
/// Exists so the rest of the infrastructure code never sees bollard's connection
/// details, only operations with readable errors.
#[derive(Debug, Clone)]
pub struct Engine {
    /// The bollard client.
    pub(super) docker: Docker,
    /// Where it was reached, for messages.
    pub(super) endpoint: String,
    /// The API version in use after negotiation.
    pub(super) api_version: String,
}

impl Engine {
    /// Where the engine was reached (`unix:///var/run/docker.sock`).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The API version in use after negotiation (e.g. `1.41` against Docker 20.10).
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// Wraps an already connected client (tests that talk to a fake engine).
    pub fn from_docker(docker: Docker, endpoint: impl Into<String>) -> Self {
        let api_version = docker.client_version().to_string();
        Self {
            docker,
            endpoint: endpoint.into(),
            api_version,
        }
    }
}
