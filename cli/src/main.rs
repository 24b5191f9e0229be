//! `mediaflow`: runs the MediaFlow debugging challenge.

use clap::Parser;

/// Run the MediaFlow debugging challenge: a distributed video-streaming platform in
/// Rust with planted bugs, its test suites and their scoring.
#[derive(Debug, Parser)]
#[command(name = "mediaflow", version, about, long_about = None)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
}
