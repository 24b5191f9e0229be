//! `mediaflow test [--category C]... [--json]`: runs the categories (or reuses the
//! results of this exact code), prints the table and every failure. Exit 0 when every
//! test passed, 1 when any failed (or did not build), 2 usage or environment.

use std::io::Write;

use crate::args::TestArgs;
use crate::exit;
use crate::play::infra_choice::{InfraRequest, TestInfra};
use crate::play::repo::WorkspaceRepo;
use crate::play::{PlayerWorkspace, suite};
use crate::workspace_gen::Sources;

use super::Failure;
use super::context::Context;
use super::failures::{SuiteProgress, print_failures, print_table};
use super::output::Style;

/// The workspace as the player commands need it.
pub fn open(context: &Context<'_>) -> Result<(PlayerWorkspace, WorkspaceRepo), Failure> {
    let sources = Sources::embedded().map_err(|error| Failure::environment(error.to_string()))?;
    let workspace = PlayerWorkspace::open(context.workspace.root(), &sources)?;
    let repo = WorkspaceRepo::open(workspace.root())?;
    Ok((workspace, repo))
}

/// The infrastructure `request` resolves to, said on stderr (which, and why).
pub fn announced_infra(
    workspace: &PlayerWorkspace,
    request: Option<InfraRequest>,
) -> Result<TestInfra, Failure> {
    let infra = TestInfra::resolve(workspace.root(), request)?;
    eprintln!("{}", infra.describe());
    Ok(infra)
}

/// Runs `test`.
pub fn run(context: &Context<'_>, args: &TestArgs) -> Result<u8, Failure> {
    let (workspace, repo) = open(context)?;
    let categories = workspace.select_categories(&args.categories)?;
    let mut progress =
        SuiteProgress::new(std::io::stderr().lock(), context.host.stderr_is_terminal);
    let infra = announced_infra(&workspace, args.infra)?;
    let infra_name = infra.name();
    let options = if args.fresh {
        suite::RunOptions::fresh(infra)
    } else {
        suite::RunOptions::cached(infra)
    };
    let run = suite::run(&workspace, &repo, &categories, &options, &mut |event| {
        progress.event(&event);
    });
    progress.finish();
    let run = run?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = serde_json::json!({
            "schema_version": crate::play::attempts::SCHEMA_VERSION,
            "tree": run.tree.to_string(),
            "infra": infra_name,
            "cached": run.from_cache,
            "weighted_pass_rate": run.weighted_pass_rate(),
            "all_passed": run.all_passed(),
            "build_errors": run.build_errors(),
            "categories": run.categories,
        });
        writeln!(out, "{json:#}")?;
    } else {
        let style = Style::stdout(context.host);
        print_table(&mut out, &run, style)?;
        print_failures(&mut out, &run, style)?;
    }
    Ok(if run.all_passed() {
        exit::OK
    } else {
        exit::TESTS_FAILED
    })
}
