//! Binary of the catalog service: reads the environment, builds the embedded
//! infrastructure, serves on 127.0.0.1:3005 (or `MEDIAFLOW_CATALOG_PORT`) until
//! Ctrl-C. Exits 2 with a message when it cannot start.

use std::process::ExitCode;

use mediaflow_catalog::{DEFAULT_PORT, Settings, start};
use mediaflow_shared::Infra;
use mediaflow_shared::config::Env;
use mediaflow_shared::infra::EmbeddedSettings;

/// Exit code when the service cannot start or stops with an error.
const EXIT_START_FAILED: u8 = 2;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mediaflow-catalog: {message}");
            ExitCode::from(EXIT_START_FAILED)
        }
    }
}

async fn run() -> Result<(), String> {
    let env = Env::from_process();
    let settings = Settings::from_env(&env).map_err(|e| e.to_string())?;
    let port: u16 = env
        .number("MEDIAFLOW_CATALOG_PORT", DEFAULT_PORT)
        .map_err(|e| e.to_string())?;
    let embedded = EmbeddedSettings::from_env(&env).map_err(|e| e.to_string())?;
    let infra = Infra::from_embedded_settings(&embedded).map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| {
            format!("cannot listen on 127.0.0.1:{port}: {e}; choose a free MEDIAFLOW_CATALOG_PORT")
        })?;
    let service = start(&infra, settings, listener)
        .await
        .map_err(|e| e.to_string())?;
    service
        .run_until(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}
