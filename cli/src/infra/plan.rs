//! Reconciliation, compose-style and pure: from the containers the project has and the
//! ones `up` wants, decide per container whether to keep, start, create, recreate or
//! remove it. No IO, so every rule is a table test.

use std::collections::BTreeSet;

use super::spec::ServiceName;

/// Run state of an existing container, as far as reconciliation cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    /// Running (and not paused).
    Running,
    /// Created, exited or dead: `start` brings it back.
    Stopped,
    /// Paused, restarting or being removed: recreated rather than nursed back.
    Other,
}

/// A container of the project found on the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// Container id.
    pub id: String,
    /// Container name without the leading `/`.
    pub name: String,
    /// Its `io.mediaflow.service` label.
    pub service: Option<String>,
    /// Its `io.mediaflow.config-hash` label.
    pub config_hash: Option<String>,
    /// Whether it runs.
    pub state: RunState,
}

/// A container `up` wants for a selected service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// The service.
    pub service: ServiceName,
    /// The container name it should have.
    pub name: String,
    /// The config hash it should carry.
    pub config_hash: String,
}

/// Why a container is removed without a replacement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoveReason {
    /// Its service is no longer in the spec.
    NotInSpec,
    /// A second container for a service that already has its container.
    Duplicate,
}

/// One reconciliation step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Same hash and running: left untouched.
    Keep {
        /// The service.
        service: ServiceName,
        /// Its container.
        id: String,
    },
    /// Same hash but stopped: started again.
    Start {
        /// The service.
        service: ServiceName,
        /// Its container.
        id: String,
    },
    /// No container yet: created and started.
    Create {
        /// The service.
        service: ServiceName,
    },
    /// Hash differs (or the container is in a state not worth resuming): removed, then
    /// created and started.
    Recreate {
        /// The service.
        service: ServiceName,
        /// The container being replaced.
        old_id: String,
    },
    /// Removed without replacement.
    Remove {
        /// Container id.
        id: String,
        /// Container name.
        name: String,
        /// Why.
        reason: RemoveReason,
    },
}

/// Plans `up`: `wanted` are the selected services, `in_spec` every service name of the
/// spec (services in the spec but not selected are left as they are), `observed` the
/// project's containers. Removals come first, then one step per wanted service in order.
pub fn plan(wanted: &[Wanted], in_spec: &BTreeSet<String>, observed: &[Observed]) -> Vec<Step> {
    let mut steps = Vec::new();
    for container in observed {
        let known = container
            .service
            .as_ref()
            .is_some_and(|service| in_spec.contains(service));
        if !known {
            steps.push(Step::Remove {
                id: container.id.clone(),
                name: container.name.clone(),
                reason: RemoveReason::NotInSpec,
            });
        }
    }
    let mut service_steps = Vec::new();
    for want in wanted {
        let mut candidates: Vec<&Observed> = observed
            .iter()
            .filter(|c| c.service.as_deref() == Some(want.service.as_str()))
            .collect();
        // The container with the expected name is the one to keep; any other is a duplicate.
        candidates.sort_by_key(|c| c.name != want.name);
        let mut candidates = candidates.into_iter();
        let step = match candidates.next() {
            None => Step::Create {
                service: want.service.clone(),
            },
            Some(current) => {
                let same = current.config_hash.as_deref() == Some(want.config_hash.as_str())
                    && current.name == want.name;
                match (same, current.state) {
                    (true, RunState::Running) => Step::Keep {
                        service: want.service.clone(),
                        id: current.id.clone(),
                    },
                    (true, RunState::Stopped) => Step::Start {
                        service: want.service.clone(),
                        id: current.id.clone(),
                    },
                    _ => Step::Recreate {
                        service: want.service.clone(),
                        old_id: current.id.clone(),
                    },
                }
            }
        };
        for duplicate in candidates {
            steps.push(Step::Remove {
                id: duplicate.id.clone(),
                name: duplicate.name.clone(),
                reason: RemoveReason::Duplicate,
            });
        }
        service_steps.push(step);
    }
    steps.extend(service_steps);
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> ServiceName {
        ServiceName::parse(text).expect("valid name")
    }

    fn wanted(service: &str, hash: &str) -> Wanted {
        Wanted {
            service: name(service),
            name: format!("mf-{service}"),
            config_hash: hash.to_owned(),
        }
    }

    fn observed(id: &str, service: &str, hash: &str, state: RunState) -> Observed {
        Observed {
            id: id.to_owned(),
            name: format!("mf-{service}"),
            service: Some(service.to_owned()),
            config_hash: Some(hash.to_owned()),
            state,
        }
    }

    fn spec_names(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn each_existing_container_gets_the_compose_treatment() {
        let cases = [
            (
                RunState::Running,
                "h1",
                Step::Keep {
                    service: name("redis"),
                    id: "c1".into(),
                },
            ),
            (
                RunState::Stopped,
                "h1",
                Step::Start {
                    service: name("redis"),
                    id: "c1".into(),
                },
            ),
            (
                RunState::Running,
                "h0",
                Step::Recreate {
                    service: name("redis"),
                    old_id: "c1".into(),
                },
            ),
            (
                RunState::Stopped,
                "h0",
                Step::Recreate {
                    service: name("redis"),
                    old_id: "c1".into(),
                },
            ),
            (
                RunState::Other,
                "h1",
                Step::Recreate {
                    service: name("redis"),
                    old_id: "c1".into(),
                },
            ),
        ];
        for (state, hash, expected) in cases {
            let steps = plan(
                &[wanted("redis", "h1")],
                &spec_names(&["redis"]),
                &[observed("c1", "redis", hash, state)],
            );
            assert_eq!(
                steps,
                vec![expected],
                "container {state:?} with hash {hash}"
            );
        }
    }

    #[test]
    fn a_missing_container_is_created() {
        let steps = plan(&[wanted("redis", "h1")], &spec_names(&["redis"]), &[]);
        assert_eq!(
            steps,
            vec![Step::Create {
                service: name("redis")
            }]
        );
    }

    #[test]
    fn containers_of_services_no_longer_in_the_spec_are_removed_first() {
        let steps = plan(
            &[wanted("redis", "h1")],
            &spec_names(&["redis"]),
            &[
                observed("c1", "redis", "h1", RunState::Running),
                observed("c2", "memcached", "h9", RunState::Running),
            ],
        );
        assert_eq!(
            steps,
            vec![
                Step::Remove {
                    id: "c2".into(),
                    name: "mf-memcached".into(),
                    reason: RemoveReason::NotInSpec
                },
                Step::Keep {
                    service: name("redis"),
                    id: "c1".into()
                },
            ]
        );
    }

    #[test]
    fn services_in_the_spec_but_not_selected_are_left_alone() {
        let steps = plan(
            &[wanted("redis", "h1")],
            &spec_names(&["redis", "postgres"]),
            &[observed("c3", "postgres", "old", RunState::Stopped)],
        );
        assert_eq!(
            steps,
            vec![Step::Create {
                service: name("redis")
            }]
        );
    }

    #[test]
    fn a_second_container_for_one_service_is_removed_and_the_named_one_kept() {
        let mut stray = observed("c9", "redis", "h1", RunState::Running);
        stray.name = "something-else".into();
        let steps = plan(
            &[wanted("redis", "h1")],
            &spec_names(&["redis"]),
            &[stray, observed("c1", "redis", "h1", RunState::Running)],
        );
        assert_eq!(
            steps,
            vec![
                Step::Remove {
                    id: "c9".into(),
                    name: "something-else".into(),
                    reason: RemoveReason::Duplicate
                },
                Step::Keep {
                    service: name("redis"),
                    id: "c1".into()
                },
            ]
        );
    }
}
