//! `mediaflow logs NAME [--follow] [--tail N]`: a service's container output, stdout to
//! stdout and stderr to stderr.

use std::io::Write;

use futures_util::StreamExt;

use crate::args::LogsArgs;
use crate::exit;
use crate::infra::engine::LogStream;

use super::Failure;
use super::context::{Context, select};

/// Runs `logs`. Any container of the project labelled with the service can be read
/// (even one whose service has since left the spec); without one, an unknown name is a
/// usage error and a known one says to `up` it.
pub async fn run(context: &Context<'_>, args: &LogsArgs) -> Result<u8, Failure> {
    let engine = context.engine().await?;
    let project = context.workspace.project();
    let found = engine
        .project_containers(&project)
        .await?
        .into_iter()
        .find(|c| c.service.as_deref() == Some(args.service.as_str()));
    let Some(container) = found else {
        if let Ok(spec) = context.spec(&[]) {
            select(&spec, std::slice::from_ref(&args.service))?;
        }
        return Err(Failure::environment(format!(
            "{} has no container in this workspace; start it with `mediaflow up {}`",
            args.service, args.service
        )));
    };
    let mut chunks = engine.logs(&container.id, args.follow, args.tail);
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk?;
        match chunk.stream {
            LogStream::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(&chunk.bytes)?;
                out.flush()?;
            }
            LogStream::Stderr => {
                let mut err = std::io::stderr().lock();
                err.write_all(&chunk.bytes)?;
                err.flush()?;
            }
        }
    }
    Ok(exit::OK)
}
