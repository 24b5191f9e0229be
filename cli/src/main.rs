//! `mediaflow`: runs the MediaFlow debugging challenge. Thin edge: parse the arguments,
//! capture the host environment, run, map the outcome to an exit code.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use mediaflow::args::Cli;
use mediaflow::host::HostEnv;
use mediaflow::infra::EngineEnv;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let var = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    let host = HostEnv {
        current_dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        engine: EngineEnv {
            docker_host: var("DOCKER_HOST").map(|v| v.to_string_lossy().into_owned()),
            home: var("HOME").map(PathBuf::from),
            xdg_runtime_dir: var("XDG_RUNTIME_DIR").map(PathBuf::from),
        },
        no_color: var("NO_COLOR").is_some(),
        stdin_is_terminal: std::io::stdin().is_terminal(),
        stdout_is_terminal: std::io::stdout().is_terminal(),
        stderr_is_terminal: std::io::stderr().is_terminal(),
    };
    ExitCode::from(mediaflow::run(&cli, &host))
}
