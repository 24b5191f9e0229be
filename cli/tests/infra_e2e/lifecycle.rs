//! The whole life of the repository's infrastructure (PostgreSQL main + analytics and
//! Redis on local images): up, reachable through the published ports, idempotent, shown
//! by status, logs, and gone after down.

use serde_json::Value;

use crate::pg;
use crate::support::{
    Docker, POSTGRES_IMAGE, REDIS_IMAGE, REPO_SPEC, TestWorkspace, local_image_flags, port_of,
    redis_ping,
};

const SERVICES: [&str; 3] = ["postgres", "postgres-analytics", "redis"];

fn up_args() -> Vec<String> {
    let mut args = vec!["up".to_owned()];
    args.extend(SERVICES.map(str::to_owned));
    args.extend(local_image_flags());
    args
}

#[test]
fn up_starts_reachable_healthy_services_a_second_up_changes_nothing_and_down_removes_everything() {
    let docker = Docker::require_engine_and_local_images();
    let workspace = TestWorkspace::with_spec(REPO_SPEC);
    let project = workspace.project();

    let first = workspace
        .mediaflow(&up_args())
        .expect_success("the first `up`");
    eprintln!(
        "measured: first up (3 services to healthy) took {:?}",
        first.elapsed
    );
    assert!(
        !first.stderr.contains("pulling"),
        "images present locally must never be pulled:\n{}",
        first.stderr
    );
    assert!(
        first.stdout.contains("3 service(s) healthy"),
        "got:\n{}",
        first.stdout
    );

    let settings = workspace.settings();
    let database = &settings["MEDIAFLOW_DATABASE_URL"];
    let analytics = &settings["MEDIAFLOW_ANALYTICS_DATABASE_URL"];
    let redis = &settings["MEDIAFLOW_REDIS_URL"];
    assert_eq!(
        settings.len(),
        3,
        "only the started services yield settings: {settings:?}"
    );
    assert_eq!(
        pg::query(
            port_of(database),
            "mediaflow",
            "mediaflow",
            "mediaflow",
            "SELECT 1"
        ),
        Ok(vec!["1".to_owned()]),
        "the main database must answer SELECT 1 through {database}"
    );
    assert_eq!(
        pg::query(
            port_of(analytics),
            "mediaflow",
            "mediaflow",
            "analytics",
            "SELECT current_database()"
        ),
        Ok(vec!["analytics".to_owned()]),
        "the analytics database must be a separate server with its own database at {analytics}"
    );
    assert_eq!(
        redis_ping(port_of(redis)),
        "+PONG\r\n",
        "redis must answer PING at {redis}"
    );

    let ids_before: Vec<String> = SERVICES
        .iter()
        .map(|s| docker.container(&project, s).id)
        .collect();
    let second = workspace
        .mediaflow(&up_args())
        .expect_success("the second `up`");
    eprintln!("measured: idempotent second up took {:?}", second.elapsed);
    let ids_after: Vec<String> = SERVICES
        .iter()
        .map(|s| docker.container(&project, s).id)
        .collect();
    assert_eq!(
        ids_before, ids_after,
        "a second `up` with the same spec must keep every container"
    );
    assert!(
        second.stdout.contains("(0 changed, 3 unchanged)"),
        "got:\n{}",
        second.stdout
    );
    assert!(
        second.stdout.contains("settings unchanged"),
        "got:\n{}",
        second.stdout
    );

    let status = workspace
        .mediaflow(&["status", "--json"])
        .expect_success("`status --json`");
    let status: Value = serde_json::from_str(&status.stdout).expect("status --json prints JSON");
    assert_eq!(status["project"], project.id());
    assert_eq!(status["network"], project.network_name());
    for service in status["services"].as_array().expect("services") {
        let name = service["service"].as_str().expect("name");
        if SERVICES.contains(&name) {
            let image = if name == "redis" {
                REDIS_IMAGE
            } else {
                POSTGRES_IMAGE
            };
            assert_eq!(service["state"], "running", "{name}");
            assert_eq!(service["health"], "healthy", "{name}");
            assert_eq!(service["image"], image, "{name} runs the overriding image");
            let url = match name {
                "postgres" => database,
                "postgres-analytics" => analytics,
                _ => redis,
            };
            assert_eq!(
                service["ports"][0]["host"],
                port_of(url),
                "{name} port matches its setting"
            );
            assert_eq!(
                service["ports"][0]["host_ip"], "127.0.0.1",
                "{name} is published on loopback only"
            );
            assert!(service["uptime_seconds"].is_u64(), "{name} has an uptime");
        } else {
            assert_eq!(service["state"], "absent", "{name} was not asked for");
        }
    }

    let logs = workspace
        .mediaflow(&["logs", "postgres", "--tail", "50"])
        .expect_success("`logs postgres`");
    assert!(
        format!("{}{}", logs.stdout, logs.stderr)
            .contains("database system is ready to accept connections"),
        "logs must show the server's output, got:\n{}{}",
        logs.stdout,
        logs.stderr
    );

    let down = workspace.mediaflow(&["down"]).expect_success("`down`");
    eprintln!("measured: down took {:?}", down.elapsed);
    assert!(
        docker.containers(&project).is_empty(),
        "no labelled container may remain"
    );
    assert!(
        docker.networks(&project).is_empty(),
        "the project network must be gone"
    );
    assert_eq!(
        docker.volumes(&project).len(),
        3,
        "plain `down` keeps the data volumes"
    );
    assert!(
        workspace.settings().is_empty(),
        "the settings file must be removed with the services"
    );

    workspace
        .mediaflow(&["down", "--volumes"])
        .expect_success("`down --volumes`");
    assert!(
        docker.volumes(&project).is_empty(),
        "`down --volumes` must remove every labelled volume"
    );
}
