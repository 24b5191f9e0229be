//! What every infrastructure command starts from: the workspace, its spec with image
//! overrides applied, and a connected engine.

use std::time::Duration;

use crate::host::HostEnv;
use crate::infra::engine::{Engine, connect};
use crate::infra::overrides::{self, ImageOverride, WorkspaceConfig};
use crate::infra::{ServiceName, Spec};
use crate::workspace::Workspace;

use super::Failure;

/// How long the engine gets to answer the first ping: long enough for a busy daemon,
/// short enough that a missing one is reported at once.
pub const PING_TIMEOUT: Duration = Duration::from_secs(3);

/// The workspace and host a command runs against.
#[derive(Debug)]
pub struct Context<'a> {
    /// The process environment.
    pub host: &'a HostEnv,
    /// The workspace.
    pub workspace: Workspace,
}

impl<'a> Context<'a> {
    /// Resolves the workspace from `--workspace` or the current directory.
    pub fn new(host: &'a HostEnv, explicit: Option<&std::path::Path>) -> Result<Self, Failure> {
        let workspace = Workspace::resolve(explicit, &host.current_dir)?;
        Ok(Self { host, workspace })
    }

    /// The spec with the workspace config's and the flags' image overrides applied.
    pub fn spec(&self, flags: &[ImageOverride]) -> Result<Spec, Failure> {
        let spec = Spec::load(&self.workspace.spec_path())?;
        let config_path = self.workspace.config_path();
        let config = WorkspaceConfig::load(&config_path)?;
        Ok(overrides::apply(spec, &config, &config_path, flags)?)
    }

    /// Connects to the engine (ping within [`PING_TIMEOUT`], version negotiated).
    pub async fn engine(&self) -> Result<Engine, Failure> {
        Ok(connect(&self.host.engine, PING_TIMEOUT).await?)
    }
}

/// Maps names typed by the user to the spec's services; an unknown one is a usage error.
pub fn select(spec: &Spec, names: &[String]) -> Result<Vec<ServiceName>, Failure> {
    names
        .iter()
        .map(|name| {
            spec.service(name)
                .map(|(key, _)| key.clone())
                .ok_or_else(|| {
                    Failure::usage(format!(
                        "unknown service `{name}`; known services are {}",
                        spec.names_list()
                    ))
                })
        })
        .collect()
}
