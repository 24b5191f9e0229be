//! Spec parsing: the repository's own infra.yaml, and errors that name file, line, column.

use std::path::Path;

use super::*;

const REPO_SPEC: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../infrastructure/infra.yaml"
));

fn parse(text: &str) -> Result<Spec, SpecError> {
    Spec::from_yaml(text, Path::new("infra.yaml"))
}

fn minimal(service_body: &str) -> String {
    format!("format_version: 1\nservices:\n  redis:\n{service_body}")
}

const HEALTH: &str = "    healthcheck:\n      command: redis-cli ping\n      interval: 2s\n      timeout: 1s\n      retries: 3\n";

fn invalid_at(result: Result<Spec, SpecError>) -> (usize, usize, String) {
    match result {
        Err(SpecError::Invalid {
            line,
            column,
            message,
            ..
        }) => (line, column, message),
        other => panic!("expected a positioned spec error, got {other:?}"),
    }
}

#[test]
fn the_repository_spec_lists_the_six_services_of_the_platform() {
    let spec = parse(REPO_SPEC).expect("infrastructure/infra.yaml must parse");
    let images: Vec<(String, String)> = spec
        .services
        .iter()
        .map(|(name, service)| (name.to_string(), service.image.to_string()))
        .collect();
    assert_eq!(
        images,
        [
            ("consul", "hashicorp/consul:1.16"),
            ("minio", "minio/minio:latest"),
            ("postgres", "postgres:15"),
            ("postgres-analytics", "postgres:15"),
            ("rabbitmq", "rabbitmq:3.12-management"),
            ("redis", "redis:7"),
        ]
        .map(|(n, i)| (n.to_owned(), i.to_owned())),
        "the spec must hold the seed's infrastructure with its versions"
    );
    for (name, service) in &spec.services {
        assert!(
            service.healthcheck.timeout < service.healthcheck.interval,
            "{name}: a health check timeout must be shorter than its interval"
        );
        assert!(
            !service.volumes.is_empty(),
            "{name} must keep its data in a named volume"
        );
        assert!(
            !service.settings.is_empty(),
            "{name} must yield settings for the platform"
        );
        assert!(
            service.ports.iter().all(|port| port.host == 0),
            "{name}: ports are ephemeral so two workspaces never collide"
        );
    }
}

#[test]
fn a_misspelt_field_is_reported_with_file_line_and_column() {
    let text = minimal(&format!(
        "    image: redis:7\n    healtcheck: {{}}\n{HEALTH}"
    ));
    let error = parse(&text).expect_err("unknown field must be rejected");
    let shown = error.to_string();
    assert!(
        shown.starts_with("infra.yaml:5:") && shown.contains("healtcheck"),
        "the error must name the file, the line of the typo and the field, got: {shown}"
    );
}

#[test]
fn a_timeout_not_shorter_than_the_interval_is_rejected_with_its_position() {
    let text = minimal(
        "    image: redis:7\n    healthcheck:\n      command: x\n      interval: 2s\n      timeout: 2s\n      retries: 3\n",
    );
    let (line, _, message) = invalid_at(parse(&text));
    assert!(
        message.contains("timeout 2s must be shorter than its interval 2s"),
        "the message must say what is wrong, got: {message}"
    );
    assert!(
        line >= 4,
        "the error must point into the health check, got line {line}"
    );
}

#[test]
fn a_setting_using_an_unpublished_port_is_rejected() {
    let text = minimal(&format!(
        "    image: redis:7\n    ports:\n      - container: 6379\n{HEALTH}    settings:\n      MEDIAFLOW_REDIS_URL: redis://127.0.0.1:{{port:6380}}\n"
    ));
    let (_, _, message) = invalid_at(parse(&text));
    assert!(message.contains("{port:6380}"), "got: {message}");
}

#[test]
fn another_format_version_is_rejected() {
    let text = "format_version: 2\nservices: {}\n";
    let (_, _, message) = invalid_at(parse(text));
    assert!(
        message.contains("format_version 2 is not supported"),
        "got: {message}"
    );
}

#[test]
fn a_fixed_host_port_used_twice_is_rejected() {
    let service = |name: &str| {
        format!(
            "  {name}:\n    image: redis:7\n    ports:\n      - container: 6379\n        host: 16379\n{HEALTH}"
        )
    };
    let text = format!(
        "format_version: 1\nservices:\n{}{}",
        service("a"),
        service("b")
    );
    let (_, _, message) = invalid_at(parse(&text));
    assert!(
        message.contains("host port 16379 is published by both"),
        "got: {message}"
    );
}

#[test]
fn service_names_must_be_dns_labels() {
    let text = format!("format_version: 1\nservices:\n  Redis_1:\n    image: redis:7\n{HEALTH}");
    let (line, _, message) = invalid_at(parse(&text));
    assert_eq!(line, 3, "the error must point at the name");
    assert!(
        message.contains("`Redis_1` is not a valid service name"),
        "got: {message}"
    );
}
