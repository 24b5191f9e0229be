//! `mediaflow down [--volumes]`: remove what `up` created for this workspace.

use std::io::Write;

use crate::args::DownArgs;
use crate::exit;
use crate::infra;

use super::Failure;
use super::context::Context;

/// Runs `down`; needs no spec, only the workspace (everything is found by label).
pub async fn run(context: &Context<'_>, args: &DownArgs) -> Result<u8, Failure> {
    let engine = context.engine().await?;
    let project = context.workspace.project();
    let report = infra::down(
        &engine,
        &project,
        args.volumes,
        &context.workspace.settings_path(),
    )
    .await?;
    let mut out = std::io::stdout().lock();
    let nothing = report.containers.is_empty()
        && report.networks.is_empty()
        && report.volumes.is_empty()
        && !report.settings_removed;
    if nothing {
        writeln!(
            out,
            "nothing to remove for workspace {}",
            context.workspace.root().display()
        )?;
        return Ok(exit::OK);
    }
    for name in &report.containers {
        writeln!(out, "removed container {name}")?;
    }
    for name in &report.networks {
        writeln!(out, "removed network {name}")?;
    }
    for name in &report.volumes {
        writeln!(out, "removed volume {name}")?;
    }
    if report.settings_removed {
        writeln!(
            out,
            "removed {}",
            context.workspace.settings_path().display()
        )?;
    }
    if !args.volumes {
        writeln!(
            out,
            "volumes (the services' data) are kept; `mediaflow down --volumes` removes them"
        )?;
    }
    Ok(exit::OK)
}
