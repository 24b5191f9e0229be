//! Compose-style reconciliation on a real engine: a stopped container is started again,
//! a changed spec recreates, a service removed from the spec loses its container, and
//! images come from the workspace config file.

use mediaflow::infra::ServiceName;

use crate::support::{Docker, REDIS_IMAGE, TestWorkspace, port_of, redis_ping};

fn spec(services: &[(&str, &str)]) -> String {
    let mut text = "format_version: 1\nservices:\n".to_owned();
    for (name, extra_env) in services {
        text.push_str(&format!(
            "  {name}:\n    image: redis:7\n    command: [redis-server, --appendonly, \"yes\"]\n    ports:\n      - container: 6379\n    environment:\n      EXTRA: \"{extra_env}\"\n    healthcheck:\n      command: redis-cli -h 127.0.0.1 ping | grep -q PONG\n      interval: 1s\n      timeout: 500ms\n      retries: 10\n    volumes:\n      - name: {name}-data\n        path: /data\n    settings:\n      MEDIAFLOW_{}_URL: redis://127.0.0.1:{{port:6379}}\n",
            name.to_uppercase()
        ));
    }
    text
}

/// `.mediaflow/config.yaml` pointing `service` at the local Redis image.
fn config(service: &str) -> String {
    format!("infrastructure:\n  images:\n    {service}: {REDIS_IMAGE}\n")
}

#[test]
fn stopped_containers_are_started_changed_ones_recreated_and_removed_services_removed() {
    let docker = Docker::require_engine_and_local_images();
    let workspace = TestWorkspace::with_spec(&spec(&[("cache", "1")]));
    workspace.write_config(&config("cache"));
    let project = workspace.project();

    workspace
        .mediaflow(&["up"])
        .expect_success("`up` with the image from .mediaflow/config.yaml");
    let created = docker.container(&project, "cache");
    assert_eq!(
        redis_ping(port_of(&workspace.settings()["MEDIAFLOW_CACHE_URL"])),
        "+PONG\r\n",
        "the configured local image must serve"
    );

    docker.stop(&created.id);
    let restarted = workspace
        .mediaflow(&["up"])
        .expect_success("`up` after a stop");
    assert!(
        restarted.stderr.contains("cache: container started"),
        "got:\n{}",
        restarted.stderr
    );
    assert_eq!(
        docker.container(&project, "cache").id,
        created.id,
        "a stopped container is started, not replaced"
    );
    assert_eq!(
        redis_ping(port_of(&workspace.settings()["MEDIAFLOW_CACHE_URL"])),
        "+PONG\r\n",
        "settings must follow the port assigned on restart"
    );

    workspace.write_spec(&spec(&[("cache", "2")]));
    let changed = workspace
        .mediaflow(&["up"])
        .expect_success("`up` after a spec change");
    assert!(
        changed.stderr.contains("cache: container recreated"),
        "got:\n{}",
        changed.stderr
    );
    assert_ne!(
        docker.container(&project, "cache").id,
        created.id,
        "a changed spec must replace the container"
    );

    workspace.write_spec(&spec(&[("queue", "1")]));
    workspace.write_config(&config("queue"));
    let moved = workspace
        .mediaflow(&["up"])
        .expect_success("`up` after removing a service");
    let cache = ServiceName::parse("cache").expect("valid service name");
    assert!(
        moved.stderr.contains(&format!(
            "removed container {}",
            project.container_name(&cache)
        )),
        "got:\n{}",
        moved.stderr
    );
    let services: Vec<Option<String>> = docker
        .containers(&project)
        .into_iter()
        .map(|c| c.service)
        .collect();
    assert_eq!(
        services,
        vec![Some("queue".to_owned())],
        "only the spec's service may remain"
    );
    let settings = workspace.settings();
    assert!(
        settings.contains_key("MEDIAFLOW_QUEUE_URL")
            && !settings.contains_key("MEDIAFLOW_CACHE_URL"),
        "settings must describe what runs now: {settings:?}"
    );
}
