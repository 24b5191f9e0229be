//! The process environment the commands depend on, captured once in `main` so nothing
//! below reads environment variables and everything can be tested with a made-up host.

use std::path::PathBuf;

use crate::infra::EngineEnv;

/// What the commands need to know about the process and its terminal.
#[derive(Debug, Clone)]
pub struct HostEnv {
    /// The current directory, where workspace discovery starts.
    pub current_dir: PathBuf,
    /// Where to look for the Docker engine.
    pub engine: EngineEnv,
    /// `NO_COLOR` is set (to anything non-empty): no colours.
    pub no_color: bool,
    /// stdin is a terminal (keys can be read: the dashboard can run).
    pub stdin_is_terminal: bool,
    /// stdout is a terminal.
    pub stdout_is_terminal: bool,
    /// stderr is a terminal: progress may redraw in place.
    pub stderr_is_terminal: bool,
}
