//! Waiting for a service's health check: poll the engine's verdict until healthy,
//! unhealthy, exited, or past a bound derived from the check's own timings.

use std::time::Duration;

use bollard::models::{ContainerInspectResponse, ContainerStateStatusEnum, HealthStatusEnum};
use tokio::time::Instant;

use super::engine::{Engine, EngineError};
use super::events::{EventSink, HealthProgress, InfraEvent};
use super::spec::{HealthCheck, ServiceName};

/// How often the engine is asked; its own checks run at the spec's interval.
const POLL_EVERY: Duration = Duration::from_millis(250);

/// Slack on top of the longest time the engine needs to reach a verdict, for a busy
/// machine (image start, first-run initialisation).
const GRACE: Duration = Duration::from_secs(15);

/// How waiting for one service ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HealthOutcome {
    /// The engine reports healthy.
    Healthy {
        /// Time from the start of waiting.
        elapsed: Duration,
    },
    /// The engine reports unhealthy: `retries` checks failed after the start period.
    Unhealthy {
        /// Output of the last check, trimmed.
        last_check: Option<String>,
    },
    /// The container stopped.
    Exited {
        /// Its exit code, when known.
        exit_code: Option<i64>,
    },
    /// No verdict within the bound.
    TimedOut {
        /// How long was waited.
        waited: Duration,
    },
}

impl HealthOutcome {
    /// Whether the service is ready.
    pub fn is_healthy(&self) -> bool {
        matches!(self, Self::Healthy { .. })
    }

    /// One-line description of a failure (empty for healthy).
    pub fn reason(&self) -> String {
        match self {
            Self::Healthy { .. } => String::new(),
            Self::Unhealthy {
                last_check: Some(output),
            } => {
                format!("health check failed: {output}")
            }
            Self::Unhealthy { last_check: None } => "health check failed".to_owned(),
            Self::Exited {
                exit_code: Some(code),
            } => format!("container exited with code {code}"),
            Self::Exited { exit_code: None } => "container exited".to_owned(),
            Self::TimedOut { waited } => format!("no health verdict after {}s", waited.as_secs()),
        }
    }
}

/// The longest the engine can take to call a service healthy or unhealthy: the start
/// period, then `retries + 1` rounds of interval plus timeout, plus [`GRACE`].
pub fn wait_bound(check: &HealthCheck) -> Duration {
    let round = check.interval.get() + check.timeout.get();
    check.start_period.get() + round * (check.retries + 1) + GRACE
}

/// What one inspection says about health, before any time bound applies.
pub fn verdict(inspect: &ContainerInspectResponse) -> Option<HealthOutcome> {
    let state = inspect.state.as_ref()?;
    let running = matches!(
        state.status,
        Some(ContainerStateStatusEnum::RUNNING | ContainerStateStatusEnum::RESTARTING)
    );
    if !running && state.status != Some(ContainerStateStatusEnum::CREATED) {
        return Some(HealthOutcome::Exited {
            exit_code: state.exit_code,
        });
    }
    let health = state.health.as_ref();
    match health.and_then(|h| h.status) {
        Some(HealthStatusEnum::HEALTHY) => Some(HealthOutcome::Healthy {
            elapsed: Duration::ZERO,
        }),
        Some(HealthStatusEnum::UNHEALTHY) => {
            let last_check = health
                .and_then(|h| h.log.as_ref())
                .and_then(|log| log.last())
                .and_then(|result| result.output.as_deref())
                .map(|output| output.trim().replace('\n', " "))
                .filter(|output| !output.is_empty());
            Some(HealthOutcome::Unhealthy { last_check })
        }
        // Without a health check the engine reports none: running is all there is.
        Some(HealthStatusEnum::NONE | HealthStatusEnum::EMPTY) | None if running => {
            Some(HealthOutcome::Healthy {
                elapsed: Duration::ZERO,
            })
        }
        _ => None,
    }
}

/// Polls until the engine reaches a verdict on `id` or the bound passes, reporting
/// progress on every poll.
pub async fn wait_healthy(
    engine: &Engine,
    service: &ServiceName,
    id: &str,
    check: &HealthCheck,
    events: &dyn EventSink,
) -> Result<HealthOutcome, EngineError> {
    let started = Instant::now();
    let bound = wait_bound(check);
    loop {
        let inspect = engine.inspect(id).await?;
        let elapsed = started.elapsed();
        let outcome = match verdict(&inspect) {
            Some(HealthOutcome::Healthy { .. }) => Some(HealthOutcome::Healthy { elapsed }),
            Some(other) => Some(other),
            None if elapsed >= bound => Some(HealthOutcome::TimedOut { waited: elapsed }),
            None => None,
        };
        let progress = match &outcome {
            None => HealthProgress::Waiting { elapsed },
            Some(HealthOutcome::Healthy { elapsed }) => {
                HealthProgress::Healthy { elapsed: *elapsed }
            }
            Some(failed) => HealthProgress::Failed {
                reason: failed.reason(),
            },
        };
        events.emit(InfraEvent::Health {
            service: service.clone(),
            progress,
        });
        if let Some(outcome) = outcome {
            return Ok(outcome);
        }
        tokio::time::sleep(POLL_EVERY).await;
    }
}

#[cfg(test)]
mod tests {
    use bollard::models::{ContainerState, Health, HealthcheckResult};

    use super::*;

    fn inspect(
        status: ContainerStateStatusEnum,
        health: Option<HealthStatusEnum>,
    ) -> ContainerInspectResponse {
        ContainerInspectResponse {
            state: Some(ContainerState {
                status: Some(status),
                exit_code: Some(3),
                health: health.map(|status| Health {
                    status: Some(status),
                    log: Some(vec![HealthcheckResult {
                        output: Some("no response\n".to_owned()),
                        ..HealthcheckResult::default()
                    }]),
                    ..Health::default()
                }),
                ..ContainerState::default()
            }),
            ..ContainerInspectResponse::default()
        }
    }

    #[test]
    fn the_engines_states_map_to_verdicts() {
        use ContainerStateStatusEnum::{EXITED, RUNNING};
        use HealthStatusEnum::{HEALTHY, STARTING, UNHEALTHY};
        let healthy = Some(HealthOutcome::Healthy {
            elapsed: Duration::ZERO,
        });
        let cases = [
            (RUNNING, Some(STARTING), None),
            (RUNNING, Some(HEALTHY), healthy.clone()),
            (RUNNING, None, healthy),
            (
                RUNNING,
                Some(UNHEALTHY),
                Some(HealthOutcome::Unhealthy {
                    last_check: Some("no response".to_owned()),
                }),
            ),
            (
                EXITED,
                Some(STARTING),
                Some(HealthOutcome::Exited { exit_code: Some(3) }),
            ),
        ];
        for (status, health, expected) in cases {
            assert_eq!(
                verdict(&inspect(status, health)),
                expected,
                "{status:?} with health {health:?}"
            );
        }
    }

    #[test]
    fn the_wait_bound_covers_the_start_period_and_every_retry() {
        let check = HealthCheck {
            command: "true".to_owned(),
            interval: crate::infra::spec::HumanDuration::parse("2s").expect("valid"),
            timeout: crate::infra::spec::HumanDuration::parse("1s").expect("valid"),
            retries: 3,
            start_period: crate::infra::spec::HumanDuration::parse("10s").expect("valid"),
        };
        assert_eq!(wait_bound(&check), Duration::from_secs(10 + 3 * 4) + GRACE);
    }
}
