//! `mediaflow up [NAME]... [--image NAME=REF]...`: start the Docker infrastructure, show
//! progress, then the settings written (or which service failed, with its last logs).

use std::io::Write;

use crate::args::UpArgs;
use crate::exit;
use crate::infra::{self, UpReport};

use super::Failure;
use super::context::{Context, select};
use super::output::{Style, Tone, duration};
use super::progress::Progress;

/// Runs `up`; on a failed health check the others stay up and the exit code is 2.
pub async fn run(context: &Context<'_>, args: &UpArgs) -> Result<u8, Failure> {
    let spec = context.spec(&args.images)?;
    let selection = select(&spec, &args.services)?;
    let engine = context.engine().await?;
    let host = context.host;
    let err_style = Style::stderr(host);
    let progress = Progress::new(std::io::stderr(), host.stderr_is_terminal, err_style);
    {
        let mut err = std::io::stderr().lock();
        writeln!(
            err,
            "Docker engine at {} (API {}), workspace {}",
            engine.endpoint(),
            engine.api_version(),
            context.workspace.root().display()
        )?;
    }
    let project = context.workspace.project();
    let report = infra::up(
        &engine,
        &project,
        &spec,
        &selection,
        &context.workspace.settings_path(),
        &progress,
    )
    .await?;
    if report.failed.is_empty() {
        print_success(&report, Style::stdout(host))?;
        Ok(exit::OK)
    } else {
        Err(failure(&report, err_style))
    }
}

fn print_success(report: &UpReport, style: Style) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let changed = report
        .services
        .iter()
        .filter(|s| s.action != infra::ContainerAction::Unchanged)
        .count();
    let summary = format!(
        "{} service(s) healthy in {} ({} changed, {} unchanged{})",
        report.services.len(),
        duration(report.elapsed),
        changed,
        report.services.len() - changed,
        if report.removed.is_empty() {
            String::new()
        } else {
            format!(", {} removed", report.removed.len())
        }
    );
    writeln!(out, "{}", style.paint(Tone::Good, &summary))?;
    if let Some(settings) = &report.settings {
        let verb = if settings.changed {
            "written to"
        } else {
            "unchanged in"
        };
        writeln!(out, "settings {verb} {}:", settings.path.display())?;
        for (name, value) in &settings.values {
            writeln!(out, "  {name}={value}")?;
        }
    }
    Ok(())
}

fn failure(report: &UpReport, style: Style) -> Failure {
    let mut message = String::new();
    for failed in &report.failed {
        message.push_str(&format!(
            "{} did not become healthy: {}\n  last log lines of container {}:\n",
            style.paint(Tone::Bad, failed.service.as_str()),
            failed.reason,
            failed.container
        ));
        if failed.last_logs.is_empty() {
            message.push_str("    (no output)\n");
        }
        for line in &failed.last_logs {
            message.push_str(&format!("    | {line}\n"));
        }
    }
    let first = report
        .failed
        .first()
        .map_or("NAME", |failed| failed.service.as_str());
    message.push_str(&format!(
        "every container is left as it is, running, for inspection; see `mediaflow status` and `mediaflow logs {first}`, fix and re-run `mediaflow up`, or stop everything with `mediaflow down`; no settings were written"
    ));
    Failure::environment(message)
}
