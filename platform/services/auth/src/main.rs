//! Binary of the auth service: reads `MEDIAFLOW_*` settings, serves on
//! `127.0.0.1:3001` (or `MEDIAFLOW_AUTH_PORT`) until Ctrl-C, then deregisters.

use std::process::ExitCode;

use mediaflow_auth::{DEFAULT_PORT, Settings, start};
use mediaflow_shared::Infra;
use mediaflow_shared::config::Env;
use mediaflow_shared::infra::EmbeddedSettings;

/// Exit code when the service cannot start or stops with an error.
const EXIT_STARTUP_FAILED: u8 = 2;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mediaflow-auth: {message}");
            ExitCode::from(EXIT_STARTUP_FAILED)
        }
    }
}

async fn run() -> Result<(), String> {
    let env = Env::from_process();
    let settings = Settings::from_env(&env).map_err(|e| format!("invalid settings: {e}"))?;
    let embedded =
        EmbeddedSettings::from_env(&env).map_err(|e| format!("invalid settings: {e}"))?;
    let port = env
        .number_in("MEDIAFLOW_AUTH_PORT", DEFAULT_PORT, 1, u16::MAX)
        .map_err(|e| format!("invalid settings: {e}"))?;
    let infra = Infra::from_embedded_settings(&embedded)
        .map_err(|e| format!("cannot build the infrastructure: {e}"))?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| {
            format!(
                "cannot listen on 127.0.0.1:{port}: {e}; free the port or set MEDIAFLOW_AUTH_PORT"
            )
        })?;
    let service = start(&infra, settings, listener)
        .await
        .map_err(|e| format!("cannot start: {e}"))?;
    eprintln!("mediaflow-auth: listening on {}", service.base_url());
    service
        .run_until(async {
            // If the signal handler cannot be installed, stopping by signal is
            // impossible anyway; shut down rather than run unstoppable.
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| format!("stopped with an error: {e}"))
}
