//! infrastructure/docker-compose.yml describes the same infrastructure as infra.yaml:
//! images, commands, hostnames, ports (127.0.0.1 only), environment, health checks and
//! volumes are compared service by service, so the two files cannot drift apart.

use std::collections::BTreeMap;
use std::path::Path;

use mediaflow::infra::spec::{HumanDuration, Spec};
use serde::Deserialize;

const COMPOSE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../infrastructure/docker-compose.yml"
));
const SPEC: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../infrastructure/infra.yaml"
));

/// The subset of the compose format the file uses; unknown keys fail the test so a new
/// compose setting is either mirrored in infra.yaml or consciously added here.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ComposeFile {
    services: BTreeMap<String, ComposeService>,
    volumes: BTreeMap<String, Option<serde_yaml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ComposeService {
    image: String,
    hostname: String,
    #[serde(default)]
    command: Option<Vec<String>>,
    #[serde(default)]
    ports: Vec<String>,
    #[serde(default)]
    environment: BTreeMap<String, String>,
    healthcheck: ComposeHealthCheck,
    #[serde(default)]
    volumes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ComposeHealthCheck {
    test: Vec<String>,
    interval: String,
    timeout: String,
    retries: u32,
    start_period: String,
}

fn duration(text: &str) -> HumanDuration {
    HumanDuration::parse(text).unwrap_or_else(|e| panic!("compose duration {text}: {e}"))
}

/// `127.0.0.1:HOST:CONTAINER` or `127.0.0.1::CONTAINER` → (host or 0, container).
fn port(text: &str) -> (u16, u16) {
    let parts: Vec<&str> = text.split(':').collect();
    assert_eq!(
        parts.len(),
        3,
        "compose port `{text}` must name the 127.0.0.1 address"
    );
    assert_eq!(
        parts[0], "127.0.0.1",
        "compose port `{text}` must be published on loopback only"
    );
    let host = if parts[1].is_empty() {
        0
    } else {
        parts[1].parse().expect("host port")
    };
    (host, parts[2].parse().expect("container port"))
}

#[test]
fn the_compose_file_matches_infra_yaml_service_by_service() {
    let spec = Spec::from_yaml(SPEC, Path::new("infra.yaml")).expect("infra.yaml parses");
    let compose: ComposeFile = serde_yaml::from_str(COMPOSE).expect("docker-compose.yml parses");
    let spec_names: Vec<String> = spec.services.keys().map(ToString::to_string).collect();
    let compose_names: Vec<String> = compose.services.keys().cloned().collect();
    assert_eq!(
        compose_names, spec_names,
        "both files must list the same services"
    );

    for (name, service) in &spec.services {
        let other = &compose.services[name.as_str()];
        assert_eq!(other.image, service.image.to_string(), "{name}: image");
        assert_eq!(
            other.hostname,
            name.as_str(),
            "{name}: hostname (mediaflow uses the service name)"
        );
        assert_eq!(other.command, service.command, "{name}: command");
        assert_eq!(
            other.environment, service.environment,
            "{name}: environment"
        );
        let ports: Vec<(u16, u16)> = other.ports.iter().map(|p| port(p)).collect();
        let expected: Vec<(u16, u16)> = service
            .ports
            .iter()
            .map(|p| (p.host, p.container))
            .collect();
        assert_eq!(ports, expected, "{name}: ports");
        let check = &service.healthcheck;
        assert_eq!(
            other.healthcheck.test,
            vec!["CMD-SHELL".to_owned(), check.command.clone()],
            "{name}: health check command"
        );
        assert_eq!(
            duration(&other.healthcheck.interval),
            check.interval,
            "{name}: health interval"
        );
        assert_eq!(
            duration(&other.healthcheck.timeout),
            check.timeout,
            "{name}: health timeout"
        );
        assert_eq!(
            duration(&other.healthcheck.start_period),
            check.start_period,
            "{name}: start period"
        );
        assert_eq!(
            other.healthcheck.retries, check.retries,
            "{name}: health retries"
        );
        let volumes: Vec<String> = service
            .volumes
            .iter()
            .map(|v| format!("{}:{}", v.name, v.path))
            .collect();
        assert_eq!(other.volumes, volumes, "{name}: volumes");
    }

    let declared: Vec<&String> = compose.volumes.keys().collect();
    let mut used: Vec<String> = spec
        .services
        .values()
        .flat_map(|s| s.volumes.iter().map(|v| v.name.to_string()))
        .collect();
    used.sort();
    assert_eq!(
        declared,
        used.iter().collect::<Vec<_>>(),
        "compose must declare exactly the named volumes"
    );
}
