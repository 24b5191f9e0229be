//! The command line: `mediaflow [--workspace DIR] <command>`, parsed with clap derive.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::exit;
use crate::infra::ImageOverride;
use crate::play::infra_choice::InfraRequest;

/// Run the MediaFlow debugging challenge: a distributed video-streaming platform in
/// Rust with planted bugs, its test suites and their scoring.
#[derive(Debug, Parser)]
#[command(name = "mediaflow", version, about, long_about = None, after_help = exit::HELP)]
pub struct Cli {
    /// The workspace [default: the nearest directory upwards from here holding
    /// infrastructure/infra.yaml or .mediaflow/].
    #[arg(long, global = true, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    /// What to do; without one, inside a workspace: the dashboard (on a terminal) or
    /// the test summary (otherwise); outside one: this help.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the workspace DIR if it does not exist yet, then open the dashboard in it.
    #[command(after_help = exit::HELP)]
    Play(PlayArgs),
    /// Generate a fresh challenge workspace: the platform with the bugs planted, the
    /// test suites, the incident scenarios, a README and git with one commit.
    #[command(after_help = exit::HELP)]
    Init(InitArgs),
    /// Start the Docker infrastructure (all services, or the named ones), wait until it
    /// is healthy and write its connection settings to .mediaflow/infra.env.
    #[command(after_help = exit::HELP)]
    Up(UpArgs),
    /// Remove the containers and network `up` created for this workspace.
    #[command(after_help = exit::HELP)]
    Down(DownArgs),
    /// Show each service's image, state, health, host ports and uptime.
    #[command(after_help = exit::HELP)]
    Status(StatusArgs),
    /// Print a service's container output.
    #[command(after_help = exit::HELP)]
    Logs(LogsArgs),
    /// Run the test suites (every category, or those named) and show each failure.
    #[command(after_help = exit::HELP)]
    Test(TestArgs),
    /// Score the workspace as it is now (tests, reward, regressions, tampering) and
    /// record the attempt.
    #[command(after_help = exit::HELP)]
    Score(ScoreArgs),
    /// Re-run the tests whenever a file under platform/ is saved: the tests that failed
    /// first, then the rest; prints what flipped. Ctrl-C ends it.
    #[command(after_help = exit::HELP)]
    Watch(WatchArgs),
    /// One line per scored attempt.
    #[command(after_help = exit::HELP)]
    History(HistoryArgs),
    /// What changed between two attempts (default: the start → the files now).
    #[command(after_help = exit::HELP)]
    Diff(DiffArgs),
    /// The next hint for the bug(s) behind a failing test, one level at a time.
    #[command(after_help = exit::HELP)]
    Hint(HintArgs),
    /// Put protected files (tests, runner profile, build settings) back as they were.
    #[command(after_help = exit::HELP)]
    Restore,
    /// Author tools for the challenge: record, refresh, check and verify the bug patches.
    #[command(after_help = exit::HELP)]
    Challenge(ChallengeArgs),
}

/// `mediaflow test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Only this category (repeatable): unit, integration, contract, chaos, security,
    /// performance, system.
    #[arg(long = "category", short = 'c', value_name = "NAME")]
    pub categories: Vec<String>,
    /// Run even when results for this exact code are cached (e.g. to recheck a timing-
    /// sensitive failure); the fresh results replace the cached ones.
    #[arg(long)]
    pub fresh: bool,
    /// Print the results as JSON on stdout (schema in docs/json.md).
    #[arg(long)]
    pub json: bool,
    /// The infrastructure the tests run on [default: docker when `mediaflow up`'s
    /// settings exist and answer, else embedded].
    #[arg(long, value_name = "KIND")]
    pub infra: Option<InfraRequest>,
}

/// `mediaflow play`.
#[derive(Debug, Args)]
pub struct PlayArgs {
    /// The workspace: opened when it is one, created (all bugs planted) when it does
    /// not exist or is empty.
    #[arg(value_name = "DIR", default_value = "mediaflow-challenge")]
    pub dir: PathBuf,
}

/// `mediaflow watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Only this category (repeatable) [default: every category].
    #[arg(long = "category", short = 'c', value_name = "NAME")]
    pub categories: Vec<String>,
    /// The infrastructure the tests run on [default: docker when `mediaflow up`'s
    /// settings exist and answer, else embedded].
    #[arg(long, value_name = "KIND")]
    pub infra: Option<InfraRequest>,
}

/// `mediaflow score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Print the attempt as JSON on stdout (schema in docs/json.md).
    #[arg(long)]
    pub json: bool,
}

/// `mediaflow history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Print every attempt record as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `mediaflow diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// From: an attempt number, `start` [default: start].
    #[arg(value_name = "FROM")]
    pub from: Option<String>,
    /// To: an attempt number, `start` or `now` (the files as they are) [default: now].
    #[arg(value_name = "TO")]
    pub to: Option<String>,
}

/// `mediaflow hint`.
#[derive(Debug, Args)]
pub struct HintArgs {
    /// The failing test: its full name, its path (`billing::proration_…`), or the end
    /// of it.
    #[arg(value_name = "TEST")]
    pub test: String,
}

/// `mediaflow init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to create the workspace; must be new or empty unless --force.
    #[arg(value_name = "DIR", default_value = "mediaflow-challenge")]
    pub dir: PathBuf,
    /// Plant only these bugs (comma-separated ids) instead of all of them.
    #[arg(
        long,
        value_name = "ID,..",
        value_delimiter = ',',
        conflicts_with = "seed"
    )]
    pub bugs: Option<Vec<String>>,
    /// Plant a reproducible random subset: the seed of the draw (with --count).
    #[arg(long, value_name = "N", requires = "count")]
    pub seed: Option<u64>,
    /// Plant a reproducible random subset: how many bugs (with --seed).
    #[arg(long, value_name = "K", requires = "seed")]
    pub count: Option<usize>,
    /// Regenerate a non-empty DIR: everything in it but target/ is replaced. A git
    /// repository that is not a MediaFlow workspace is never deleted.
    #[arg(long)]
    pub force: bool,
}

/// `mediaflow up`.
#[derive(Debug, Args)]
pub struct UpArgs {
    /// Services to start [default: every service of infrastructure/infra.yaml].
    #[arg(value_name = "NAME")]
    pub services: Vec<String>,
    /// Use another image for a service (repeatable); wins over .mediaflow/config.yaml.
    #[arg(long = "image", value_name = "NAME=REF")]
    pub images: Vec<ImageOverride>,
}

/// `mediaflow down`.
#[derive(Debug, Args)]
pub struct DownArgs {
    /// Also remove the named volumes (all data of the services).
    #[arg(long)]
    pub volumes: bool,
}

/// `mediaflow status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `mediaflow logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// The service.
    #[arg(value_name = "NAME")]
    pub service: String,
    /// Keep printing new output until the container stops (or Ctrl-C).
    #[arg(short, long)]
    pub follow: bool,
    /// Only the last N lines of earlier output.
    #[arg(long, value_name = "N")]
    pub tail: Option<usize>,
}

/// `mediaflow challenge`.
#[derive(Debug, Args)]
pub struct ChallengeArgs {
    /// The author tool to run.
    #[command(subcommand)]
    pub command: ChallengeCommand,
}

/// The author tools.
#[derive(Debug, Subcommand)]
pub enum ChallengeCommand {
    /// Turn the edits under platform/ into the bug's patch, then restore the reference.
    #[command(after_help = exit::HELP)]
    Record(RecordArgs),
    /// Rewrite every bug patch against the current reference (all or nothing).
    #[command(after_help = exit::HELP)]
    Refresh(RefreshArgs),
    /// Prove the catalog valid and every patch applicable, alone and all together.
    #[command(after_help = exit::HELP)]
    Check(CheckArgs),
    /// Prove with real test runs that the reference passes, that each bug alone fails
    /// each of its declared tests, and report the pass rate with all bugs together.
    #[command(after_help = VERIFY_HELP)]
    Verify(VerifyArgs),
}

/// `--help` text of `challenge verify`: the exit codes.
const VERIFY_HELP: &str = "Exit codes: 0 verified; 1 the reference fails a test, a bug does not apply or compile, or a declared test still passes with its bug; 2 usage or environment error (unknown bug, cargo-nextest missing, scratch folder not writable).";

/// Where the challenge lives, shared by the author tools.
#[derive(Debug, Args)]
pub struct ChallengeDirArg {
    /// The challenge folder [default: challenges/mediaflow in the workspace].
    #[arg(long = "challenge", value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// `mediaflow challenge record`.
#[derive(Debug, Args)]
pub struct RecordArgs {
    /// The bug id, as in challenge.yaml (e.g. G2).
    #[arg(value_name = "BUG")]
    pub bug: String,
    /// The challenge folder.
    #[command(flatten)]
    pub challenge: ChallengeDirArg,
}

/// `mediaflow challenge refresh`.
#[derive(Debug, Args)]
pub struct RefreshArgs {
    /// The challenge folder.
    #[command(flatten)]
    pub challenge: ChallengeDirArg,
}

/// `mediaflow challenge check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The challenge folder.
    #[command(flatten)]
    pub challenge: ChallengeDirArg,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `mediaflow challenge verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Verify only this bug (after the reference); skips the all-together run.
    #[arg(long = "bug", value_name = "ID")]
    pub bug: Option<String>,
    /// Where the scratch workspace and its target directory live
    /// [default: target/mediaflow-verify in the repository].
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Print the report as JSON on stdout (progress still goes to stderr).
    #[arg(long)]
    pub json: bool,
}
