//! Binary of the gateway service: reads the settings, builds the embedded
//! infrastructure, serves on `127.0.0.1:3000` (or `MEDIAFLOW_GATEWAY_PORT`) until
//! Ctrl-C. Any startup failure exits with code 2 and a message saying what to fix.

use std::process::ExitCode;

use mediaflow_gateway::{DEFAULT_PORT, Settings, start};
use mediaflow_shared::Infra;
use mediaflow_shared::config::Env;
use mediaflow_shared::infra::EmbeddedSettings;

/// Exit code for any startup or shutdown failure.
const EXIT_FAILURE: u8 = 2;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mediaflow-gateway: {message}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

async fn run() -> Result<(), String> {
    let env = Env::from_process();
    let settings = Settings::from_env(&env).map_err(|e| e.to_string())?;
    let embedded = EmbeddedSettings::from_env(&env).map_err(|e| e.to_string())?;
    let infra = Infra::from_embedded_settings(&embedded).map_err(|e| e.to_string())?;
    let port = env
        .number("MEDIAFLOW_GATEWAY_PORT", DEFAULT_PORT)
        .map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}; free the port or set MEDIAFLOW_GATEWAY_PORT"))?;
    let running = start(&infra, settings, listener)
        .await
        .map_err(|e| e.to_string())?;
    running
        .run_until(async {
            // Without a Ctrl-C handler the process can only be killed; stop at once then.
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}
