//! From parsed arguments and the host environment to an exit code: the one entry point
//! `main` calls.

use std::io::Write;

use clap::CommandFactory;

use crate::args::{Cli, Command};
use crate::commands::context::Context;
use crate::commands::{self, Failure};
use crate::exit;
use crate::host::HostEnv;
use crate::workspace_gen::STATE_FILE;

/// Runs the command `cli` asks for and returns its exit code; errors are printed to
/// stderr as `error: …`.
pub fn run(cli: &Cli, host: &HostEnv) -> u8 {
    let outcome = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| Failure::environment(format!("cannot start the async runtime: {error}")))
        .and_then(|runtime| {
            runtime.block_on(async {
                // `init` creates a workspace, so it is the one command that needs none.
                let context = || Context::new(host, cli.workspace.as_deref());
                let Some(command) = &cli.command else {
                    // A directory with infra.yaml but no state (this repository, say) is
                    // not a player's workspace: the help says how to make one.
                    return match context() {
                        Ok(context)
                            if cli.workspace.is_some()
                                || context.workspace.root().join(STATE_FILE).is_file() =>
                        {
                            commands::dashboard::run(&context).await
                        }
                        Err(failure) if cli.workspace.is_some() => Err(failure),
                        _ => help(),
                    };
                };
                match command {
                    Command::Play(args) => commands::dashboard::play(host, args).await,
                    Command::Watch(args) => commands::watch::run(&context()?, args),
                    Command::Init(args) => commands::init::run(host, args),
                    Command::Up(args) => commands::up::run(&context()?, args).await,
                    Command::Down(args) => commands::down::run(&context()?, args).await,
                    Command::Status(args) => commands::status::run(&context()?, args).await,
                    Command::Logs(args) => commands::logs::run(&context()?, args).await,
                    Command::Test(args) => commands::test::run(&context()?, args),
                    Command::Score(args) => commands::score::run(&context()?, args),
                    Command::History(args) => commands::history::run(&context()?, args),
                    Command::Diff(args) => commands::history::diff(&context()?, args),
                    Command::Hint(args) => commands::hint::run(&context()?, args),
                    Command::Restore => commands::hint::restore(&context()?),
                    Command::Challenge(args) => commands::challenge::run(&context()?, args),
                }
            })
        });
    match outcome {
        Ok(code) => code,
        Err(failure) => {
            // Nothing better to do when stderr itself is gone.
            let _ignored = writeln!(std::io::stderr().lock(), "error: {}", failure.message);
            failure.code
        }
    }
}

/// Outside a workspace, `mediaflow` alone prints the help and the way in.
fn help() -> Result<u8, Failure> {
    let mut out = std::io::stdout().lock();
    Cli::command().write_help(&mut out)?;
    writeln!(
        out,
        "\nNo challenge workspace here: `mediaflow play` creates one and opens its dashboard."
    )?;
    Ok(exit::OK)
}
