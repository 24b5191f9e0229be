//! A service that never becomes healthy: `up` names it, shows its last log lines, exits
//! 2, writes no settings, and leaves everything running to inspect.

use serde_json::Value;

use crate::support::{Docker, REDIS_IMAGE, TestWorkspace};

fn spec() -> String {
    format!(
        "format_version: 1\nservices:\n  cache:\n    image: {REDIS_IMAGE}\n    ports:\n      - container: 6379\n    healthcheck:\n      command: redis-cli -h 127.0.0.1 ping | grep -q PONG\n      interval: 1s\n      timeout: 500ms\n      retries: 10\n    settings:\n      MEDIAFLOW_CACHE_URL: redis://127.0.0.1:{{port:6379}}\n  broken:\n    image: {REDIS_IMAGE}\n    command: [redis-server, --port, \"7000\"]\n    healthcheck:\n      command: redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG\n      interval: 1s\n      timeout: 500ms\n      retries: 2\n"
    )
}

#[test]
fn a_failing_health_check_names_the_service_shows_its_logs_and_leaves_the_rest_running() {
    let docker = Docker::require_engine_and_local_images();
    let workspace = TestWorkspace::with_spec(&spec());
    let project = workspace.project();

    let run = workspace.mediaflow(&["up"]);
    assert_eq!(
        run.code, 2,
        "a failed health check is an environment error (exit 2):\n{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("error: broken did not become healthy: health check failed"),
        "the failing service must be named with the reason, got:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("last log lines of container")
            && run.stderr.contains("Running mode=standalone, port=7000"),
        "its last log lines must be shown, got:\n{}",
        run.stderr
    );
    assert!(
        workspace.settings().is_empty(),
        "no settings may be written after a failure"
    );

    let status = workspace
        .mediaflow(&["status", "--json"])
        .expect_success("`status --json`");
    let status: Value = serde_json::from_str(&status.stdout).expect("JSON");
    let health = |name: &str| {
        status["services"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["service"] == name))
            .map(|s| (s["state"].clone(), s["health"].clone()))
    };
    assert_eq!(
        health("cache"),
        Some(("running".into(), "healthy".into())),
        "the healthy service stays up"
    );
    assert_eq!(
        health("broken"),
        Some(("running".into(), "unhealthy".into())),
        "the failed one stays to inspect"
    );
    assert_eq!(docker.containers(&project).len(), 2);

    // The image declares VOLUME /data and the spec names none for `broken`: the engine
    // made an anonymous volume, which `down` must not leave behind.
    let anonymous = docker.mounted_volumes(&docker.container(&project, "broken").id);
    assert_eq!(
        anonymous.len(),
        1,
        "the image's declared volume: {anonymous:?}"
    );
    workspace.mediaflow(&["down"]).expect_success("`down`");
    assert!(
        !docker.volume_exists(&anonymous[0]),
        "anonymous volumes go with their container"
    );
}
