//! The body of every service binary: read the environment once, build the
//! infrastructure (embedded; SQL on PostgreSQL when configured), bind the service's
//! port on loopback, serve until Ctrl-C, and turn any failure into one line on
//! stderr and exit code 2.

use std::process::ExitCode;

use tokio::net::TcpListener;

use super::server::RunningService;
use crate::Infra;
use crate::config::{ConfigError, Env};
use crate::infra::InfraSettings;

/// Exit code of a service binary that could not start or stop cleanly.
pub const EXIT_SETUP_FAILED: u8 = 2;

/// Which service a binary runs.
#[derive(Debug, Clone, Copy)]
pub struct Standalone {
    /// Service name, e.g. `catalog` (the binary is `mediaflow-<name>`).
    pub name: &'static str,
    /// Standard port.
    pub default_port: u16,
    /// Variable overriding the port, e.g. `MEDIAFLOW_CATALOG_PORT`.
    pub port_var: &'static str,
}

impl Standalone {
    /// Runs the service: `settings` reads its settings from the environment,
    /// `start` starts it on the listener.
    pub async fn run<S, E, Fut>(
        self,
        settings: impl FnOnce(&Env) -> Result<S, ConfigError>,
        start: impl FnOnce(Infra, S, TcpListener) -> Fut,
    ) -> ExitCode
    where
        E: std::fmt::Display,
        Fut: Future<Output = Result<RunningService, E>>,
    {
        match self.serve(settings, start).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("mediaflow-{}: {message}", self.name);
                ExitCode::from(EXIT_SETUP_FAILED)
            }
        }
    }

    async fn serve<S, E, Fut>(
        self,
        settings: impl FnOnce(&Env) -> Result<S, ConfigError>,
        start: impl FnOnce(Infra, S, TcpListener) -> Fut,
    ) -> Result<(), String>
    where
        E: std::fmt::Display,
        Fut: Future<Output = Result<RunningService, E>>,
    {
        let env = Env::from_process();
        let invalid = |e: ConfigError| format!("invalid settings: {e}");
        let settings = settings(&env).map_err(invalid)?;
        let port = env
            .number_in(self.port_var, self.default_port, 1, u16::MAX)
            .map_err(invalid)?;
        let infra_settings = InfraSettings::from_env(&env).map_err(invalid)?;
        let infra = Infra::from_settings(&infra_settings)
            .map_err(|e| format!("cannot build the infrastructure: {e}"))?;
        let listener = TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
            format!(
                "cannot listen on 127.0.0.1:{port}: {e}; free the port or set {}",
                self.port_var
            )
        })?;
        let service = start(infra, settings, listener)
            .await
            .map_err(|e| format!("cannot start: {e}"))?;
        eprintln!(
            "mediaflow-{}: listening on {}",
            self.name,
            service.base_url()
        );
        service
            .run_until(async {
                // Without a signal handler the service could not be stopped by a
                // signal at all; stopping at once is the safer outcome.
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| format!("stopped with an error: {e}"))
    }
}
