//! Binary of the billing service: reads the environment, builds the embedded
//! infrastructure, serves on 127.0.0.1:3008 (or `MEDIAFLOW_BILLING_PORT`) until
//! Ctrl-C. Exit code 2 means it could not start or stop cleanly.

use std::process::ExitCode;

use mediaflow_billing::{DEFAULT_PORT, Settings, start};
use mediaflow_shared::Infra;
use mediaflow_shared::config::Env;
use mediaflow_shared::infra::EmbeddedSettings;

/// Exit code when the service cannot start or stop cleanly.
const EXIT_FAILURE: u8 = 2;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mediaflow-billing: {message}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

async fn run() -> Result<(), String> {
    let env = Env::from_process();
    let settings = Settings::from_env(&env).map_err(|e| e.to_string())?;
    let port = env
        .number("MEDIAFLOW_BILLING_PORT", DEFAULT_PORT)
        .map_err(|e| e.to_string())?;
    let embedded = EmbeddedSettings::from_env(&env).map_err(|e| e.to_string())?;
    let infra = Infra::from_embedded_settings(&embedded).map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| {
            format!(
                "cannot listen on 127.0.0.1:{port}: {e}; set MEDIAFLOW_BILLING_PORT to a free port"
            )
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
