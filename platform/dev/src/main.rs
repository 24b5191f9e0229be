//! `mediaflow-platform`: every service of the platform in one process, each on its
//! standard port (gateway 3000, auth 3001, catalog 3005, billing 3008), over the
//! embedded infrastructure (in memory, or under `MEDIAFLOW_DATA_DIR`). Ctrl-C stops
//! the gateway first, then the rest, each draining its requests and deregistering.

use std::process::ExitCode;

use mediaflow_shared::Infra;
use mediaflow_shared::config::Env;
use mediaflow_shared::http::RunningService;
use mediaflow_shared::infra::InfraSettings;
use tokio::net::TcpListener;

/// Exit code for a configuration or startup error.
const EXIT_SETUP: u8 = 2;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mediaflow-platform: {message}");
            ExitCode::from(EXIT_SETUP)
        }
    }
}

/// The environment the services read, with `MEDIAFLOW_JWT_KEYS` filled in by a
/// random key for this run when unset (tokens then do not survive a restart).
fn with_signing_key(env: Env) -> Env {
    if env.raw("MEDIAFLOW_JWT_KEYS").is_some() {
        return env;
    }
    let mut rng = fastrand::Rng::new();
    let secret: String = (0..48).map(|_| rng.alphanumeric()).collect();
    eprintln!("note: MEDIAFLOW_JWT_KEYS is not set; using a random signing key for this run");
    env.with("MEDIAFLOW_JWT_KEYS", format!("dev-1:{secret}"))
}

async fn bind(env: &Env, var: &str, default: u16) -> Result<TcpListener, String> {
    let port = env.number::<u16>(var, default).map_err(|e| e.to_string())?;
    TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}; free the port or set {var}"))
}

async fn run() -> Result<(), String> {
    let env = with_signing_key(Env::from_process());
    let settings = InfraSettings::from_env(&env).map_err(|e| e.to_string())?;
    let infra = Infra::from_settings(&settings).map_err(|e| e.to_string())?;
    let auth = mediaflow_auth::Settings::from_env(&env).map_err(|e| format!("auth: {e}"))?;
    let catalog =
        mediaflow_catalog::Settings::from_env(&env).map_err(|e| format!("catalog: {e}"))?;
    let billing =
        mediaflow_billing::Settings::from_env(&env).map_err(|e| format!("billing: {e}"))?;
    let gateway =
        mediaflow_gateway::Settings::from_env(&env).map_err(|e| format!("gateway: {e}"))?;

    let mut running: Vec<RunningService> = Vec::new();
    let started = async {
        let listener = bind(&env, "MEDIAFLOW_AUTH_PORT", 3001).await?;
        running.push(
            mediaflow_auth::start(&infra, auth, listener)
                .await
                .map_err(|e| format!("auth: {e}"))?,
        );
        let listener = bind(&env, "MEDIAFLOW_CATALOG_PORT", 3005).await?;
        running.push(
            mediaflow_catalog::start(&infra, catalog, listener)
                .await
                .map_err(|e| format!("catalog: {e}"))?,
        );
        let listener = bind(&env, "MEDIAFLOW_BILLING_PORT", 3008).await?;
        running.push(
            mediaflow_billing::start(&infra, billing, listener)
                .await
                .map_err(|e| format!("billing: {e}"))?,
        );
        let listener = bind(&env, "MEDIAFLOW_GATEWAY_PORT", 3000).await?;
        running.push(
            mediaflow_gateway::start(&infra, gateway, listener)
                .await
                .map_err(|e| format!("gateway: {e}"))?,
        );
        Ok::<(), String>(())
    }
    .await;
    if let Err(message) = started {
        stop_all(running).await;
        return Err(message);
    }
    for service in &running {
        eprintln!("{:<8} {}", service.name(), service.base_url());
    }
    eprintln!("infrastructure: {} — press Ctrl-C to stop", infra.kind());
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot listen for Ctrl-C: {e}"))?;
    eprintln!("stopping…");
    stop_all(running).await;
    Ok(())
}

async fn stop_all(mut running: Vec<RunningService>) {
    while let Some(service) = running.pop() {
        let name = service.name().to_owned();
        if let Err(e) = service.stop().await {
            eprintln!("{name}: stopped with an error: {e}");
        }
    }
}
