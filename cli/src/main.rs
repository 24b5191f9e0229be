//! `mediaflow`: runs the MediaFlow debugging challenge. Thin edge: parse the
//! arguments, act, map the outcome to an exit code.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

/// Run the MediaFlow debugging challenge: a distributed video-streaming platform in
/// Rust with planted bugs, its test suites and their scoring.
#[derive(Debug, Parser)]
#[command(
    name = "mediaflow",
    version,
    about,
    long_about = None,
    after_help = "Exit codes: 0 ok, 1 tests failed or reward below 1, 2 usage or environment error."
)]
struct Cli {}

fn main() -> ExitCode {
    let _cli = Cli::parse();
    // No command yet does anything beyond --help/--version; show what exists.
    match Cli::command().print_help() {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::from(2),
    }
}
