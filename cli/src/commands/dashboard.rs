//! `mediaflow` alone (inside a workspace) and `mediaflow play [DIR]`: the dashboard on
//! a terminal; without one (a pipe, CI, an agent), the summary `mediaflow test` prints,
//! so the command never fails for want of a TTY.

use chrono::Utc;

use crate::args::{InitArgs, PlayArgs, TestArgs};
use crate::dashboard::model::InfraLabel;
use crate::dashboard::{load, terminal};
use crate::exit;
use crate::host::HostEnv;
use crate::play::infra_choice::TestInfra;
use crate::workspace_gen::STATE_FILE;

use super::Failure;
use super::context::Context;

/// Opens the dashboard of the workspace `context` names.
pub async fn run(context: &Context<'_>) -> Result<u8, Failure> {
    let host = context.host;
    if !(host.stdin_is_terminal && host.stdout_is_terminal) {
        let summary = TestArgs {
            categories: Vec::new(),
            fresh: false,
            json: false,
            infra: None,
        };
        return super::test::run(context, &summary);
    }
    let (workspace, _repo) = super::test::open(context)?;
    let infra = TestInfra::resolve(workspace.root(), None)?;
    let label = InfraLabel(infra.name().to_owned());
    let init = load::init(&workspace, label, host.no_color, Utc::now())?;
    terminal::run(workspace, infra, init)
        .await
        .map_err(|error| Failure::environment(format!("the terminal failed: {error}")))?;
    Ok(exit::OK)
}

/// Creates `args.dir` when it is not a workspace yet (it must not exist or be empty),
/// then opens it.
pub async fn play(host: &HostEnv, args: &PlayArgs) -> Result<u8, Failure> {
    let dir = host.current_dir.join(&args.dir);
    if !dir.join(STATE_FILE).is_file() {
        let occupied = std::fs::read_dir(&dir).is_ok_and(|mut entries| entries.next().is_some());
        if occupied {
            return Err(Failure::usage(format!(
                "{} exists and is not a challenge workspace; choose a new DIR (it is created), or regenerate this one with `mediaflow init --force {}`",
                args.dir.display(),
                args.dir.display()
            )));
        }
        let init = InitArgs {
            dir: args.dir.clone(),
            bugs: None,
            seed: None,
            count: None,
            force: false,
        };
        super::init::run(host, &init)?;
    }
    let context = Context::new(host, Some(&dir))?;
    run(&context).await
}
