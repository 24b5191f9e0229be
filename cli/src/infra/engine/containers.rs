//! Containers of the project: list by label, create, start, stop and remove, inspect,
//! read logs.

use std::pin::Pin;
use std::time::Duration;

use bollard::container::LogOutput;
use bollard::models::{ContainerInspectResponse, ContainerSummaryStateEnum};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, ListContainersOptionsBuilder, LogsOptionsBuilder,
    RemoveContainerOptionsBuilder, StartContainerOptions, StopContainerOptionsBuilder,
};
use futures_util::{Stream, StreamExt};

use super::super::container::DesiredContainer;
use super::super::plan::{Observed, RunState};
use super::super::project::{Project, labels};
use super::{Engine, EngineError, is_not_found};

/// Which output stream a log chunk came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogStream {
    /// The container's stdout (or its console).
    Stdout,
    /// The container's stderr.
    Stderr,
}

/// A piece of container output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogChunk {
    /// Where it came from.
    pub stream: LogStream,
    /// The raw bytes.
    pub bytes: Vec<u8>,
}

/// A boxed stream of log chunks, as `logs` returns it.
pub type LogChunks = Pin<Box<dyn Stream<Item = Result<LogChunk, EngineError>> + Send>>;

impl Engine {
    /// Every container of the project (running or not), selected by label.
    pub async fn project_containers(
        &self,
        project: &Project,
    ) -> Result<Vec<Observed>, EngineError> {
        let options = ListContainersOptionsBuilder::new()
            .all(true)
            .filters(&project.label_filter())
            .build();
        let summaries = self
            .docker
            .list_containers(Some(options))
            .await
            .map_err(EngineError::api("list containers"))?;
        Ok(summaries
            .into_iter()
            .filter_map(|summary| {
                let id = summary.id?;
                let name = summary
                    .names
                    .and_then(|names| names.into_iter().next())
                    .map(|name| name.trim_start_matches('/').to_owned())
                    .unwrap_or_else(|| id.clone());
                let labels = summary.labels.unwrap_or_default();
                let state = match summary.state {
                    Some(ContainerSummaryStateEnum::RUNNING) => RunState::Running,
                    Some(
                        ContainerSummaryStateEnum::CREATED
                        | ContainerSummaryStateEnum::EXITED
                        | ContainerSummaryStateEnum::DEAD,
                    ) => RunState::Stopped,
                    _ => RunState::Other,
                };
                Some(Observed {
                    id,
                    name,
                    service: labels.get(labels::SERVICE).cloned(),
                    config_hash: labels.get(labels::CONFIG_HASH).cloned(),
                    state,
                })
            })
            .collect())
    }

    /// Creates and starts a container; returns its id.
    pub async fn create_and_start(
        &self,
        desired: &DesiredContainer,
    ) -> Result<String, EngineError> {
        let options = CreateContainerOptionsBuilder::new()
            .name(&desired.name)
            .build();
        let created = self
            .docker
            .create_container(Some(options), desired.body.clone())
            .await
            .map_err(EngineError::api(format!(
                "create container {} for {}",
                desired.name, desired.service
            )))?;
        self.start(&created.id, &desired.name).await?;
        Ok(created.id)
    }

    /// Starts a created or stopped container.
    pub async fn start(&self, id: &str, name: &str) -> Result<(), EngineError> {
        self.docker
            .start_container(id, None::<StartContainerOptions>)
            .await
            .map_err(EngineError::api(format!("start container {name}")))
    }

    /// Stops a container (SIGTERM, then SIGKILL after `grace`); a stopped one is fine.
    pub async fn stop(&self, id: &str, name: &str, grace: Duration) -> Result<(), EngineError> {
        let seconds = i32::try_from(grace.as_secs()).unwrap_or(i32::MAX);
        let stop = StopContainerOptionsBuilder::new().t(seconds).build();
        match self.docker.stop_container(id, Some(stop)).await {
            Err(error) if !is_not_found(&error) && !is_not_modified(&error) => {
                Err(EngineError::api(format!("stop container {name}"))(error))
            }
            _ => Ok(()),
        }
    }

    /// Stops a container (SIGTERM, then SIGKILL after `grace`) and removes it with its
    /// anonymous volumes (those an image declares but the spec does not name: nothing
    /// could reach them again); named volumes are kept. An already removed container is
    /// fine.
    pub async fn stop_and_remove(
        &self,
        id: &str,
        name: &str,
        grace: Duration,
    ) -> Result<(), EngineError> {
        self.stop(id, name, grace).await?;
        let remove = RemoveContainerOptionsBuilder::new()
            .force(true)
            .v(true)
            .build();
        match self.docker.remove_container(id, Some(remove)).await {
            Err(error) if !is_not_found(&error) => {
                Err(EngineError::api(format!("remove container {name}"))(error))
            }
            _ => Ok(()),
        }
    }

    /// Full container details (state, health, published ports, labels).
    pub async fn inspect(&self, id: &str) -> Result<ContainerInspectResponse, EngineError> {
        self.docker
            .inspect_container(id, None)
            .await
            .map_err(EngineError::api(format!("inspect container {id}")))
    }

    /// The last `lines` lines of a container's output (stdout and stderr interleaved).
    pub async fn log_tail(&self, id: &str, lines: usize) -> Result<Vec<String>, EngineError> {
        let mut chunks = self.logs(id, false, Some(lines));
        let mut text = String::new();
        while let Some(chunk) = chunks.next().await {
            text.push_str(&String::from_utf8_lossy(&chunk?.bytes));
        }
        let all: Vec<&str> = text.lines().collect();
        let start = all.len().saturating_sub(lines);
        Ok(all[start..].iter().map(|line| (*line).to_owned()).collect())
    }

    /// A container's output; `tail` limits history to the last lines, `follow` keeps
    /// streaming until the container stops.
    pub fn logs(&self, id: &str, follow: bool, tail: Option<usize>) -> LogChunks {
        let tail = tail.map_or_else(|| "all".to_owned(), |n| n.to_string());
        let options = LogsOptionsBuilder::new()
            .stdout(true)
            .stderr(true)
            .follow(follow)
            .tail(&tail)
            .build();
        let action = format!("read logs of container {id}");
        self.docker
            .logs(id, Some(options))
            .map(move |item| {
                let output = item.map_err(EngineError::api(action.clone()))?;
                let stream = match output {
                    LogOutput::StdErr { .. } => LogStream::Stderr,
                    LogOutput::StdOut { .. }
                    | LogOutput::Console { .. }
                    | LogOutput::StdIn { .. } => LogStream::Stdout,
                };
                Ok(LogChunk {
                    stream,
                    bytes: output.as_ref().to_vec(),
                })
            })
            .boxed()
    }
}

/// 304 from `stop`: the container was not running, which is what we wanted.
fn is_not_modified(error: &bollard::errors::Error) -> bool {
    matches!(
        error,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 304,
            ..
        }
    )
}
