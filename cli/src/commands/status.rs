//! `mediaflow status [--json]`: per service image, state, health, host ports, uptime.

use std::io::Write;
use std::time::Duration;

use crate::args::StatusArgs;
use crate::exit;
use crate::infra::status::{self, StatusReport};

use super::Failure;
use super::context::Context;
use super::output::{Style, Tone, duration, ports};

/// Runs `status`. A spec that does not parse is reported but does not hide containers.
pub async fn run(context: &Context<'_>, args: &StatusArgs) -> Result<u8, Failure> {
    let spec = match context.spec(&[]) {
        Ok(spec) => Some(spec),
        Err(failure) => {
            writeln!(
                std::io::stderr().lock(),
                "warning: {}; showing containers only",
                failure.message
            )?;
            None
        }
    };
    let engine = context.engine().await?;
    let project = context.workspace.project();
    let report = status::collect(&engine, &project, spec.as_ref(), chrono::Utc::now()).await?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = serde_json::to_string_pretty(&report)
            .map_err(|error| Failure::environment(format!("cannot encode status: {error}")))?;
        writeln!(out, "{json}")?;
    } else {
        write_table(&mut out, &report, Style::stdout(context.host))?;
    }
    Ok(exit::OK)
}

fn write_table(out: &mut impl Write, report: &StatusReport, style: Style) -> std::io::Result<()> {
    writeln!(
        out,
        "workspace {} (project {}), network {}",
        report.workspace,
        report.project,
        report.network.as_deref().unwrap_or("absent")
    )?;
    writeln!(
        out,
        "{:<20} {:<9} {:<10} {:<8} {:<30} IMAGE",
        "SERVICE", "STATE", "HEALTH", "UPTIME", "PORTS"
    )?;
    for service in &report.services {
        let health = service.health.as_deref().unwrap_or("-");
        let tone = match health {
            "healthy" => Tone::Good,
            "unhealthy" => Tone::Bad,
            _ => Tone::Busy,
        };
        let uptime = service
            .uptime_seconds
            .map_or_else(|| "-".to_owned(), |s| duration(Duration::from_secs(s)));
        let name = if service.in_spec {
            service.service.clone()
        } else {
            format!("{} (not in spec)", service.service)
        };
        writeln!(
            out,
            "{:<20} {:<9} {} {:<8} {:<30} {}",
            name,
            service.state,
            style.paint(tone, &format!("{health:<10}")),
            uptime,
            ports(&service.ports),
            service.image
        )?;
    }
    Ok(())
}
