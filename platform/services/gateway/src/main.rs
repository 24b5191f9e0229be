//! Binary of the gateway service: reads `MEDIAFLOW_*` settings, serves on
//! 127.0.0.1:3000 (or `MEDIAFLOW_GATEWAY_PORT`) over the embedded infrastructure until
//! Ctrl-C, then deregisters. Exit code 2: it could not start or stop cleanly.

use std::process::ExitCode;

use mediaflow_gateway::{DEFAULT_PORT, SERVICE, Settings, start};
use mediaflow_shared::http::Standalone;

#[tokio::main]
async fn main() -> ExitCode {
    let binary = Standalone {
        name: SERVICE,
        default_port: DEFAULT_PORT,
        port_var: "MEDIAFLOW_GATEWAY_PORT",
    };
    binary
        .run(Settings::from_env, |infra, settings, listener| async move {
            start(&infra, settings, listener).await
        })
        .await
}
