//! Which infrastructure the challenge tests run on: docker when `mediaflow up`'s
//! settings exist and every server answers, else embedded (saying why); an explicit
//! `--infra docker` without them is an error that says what to do; and what reaches
//! the test process's environment either way.

use std::net::TcpListener;
use std::path::Path;

use mediaflow::play::infra_choice::{InfraRequest, TestInfra, server_address};

fn workspace_with_settings(settings: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join(".mediaflow")).expect("mkdir");
    if let Some(text) = settings {
        std::fs::write(dir.path().join(".mediaflow/infra.env"), text).expect("write");
    }
    dir
}

/// A port on loopback where nothing listens (bound, then released).
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

fn env_value<'a>(env: &'a [(String, Option<String>)], name: &str) -> Option<&'a Option<String>> {
    env.iter().find(|(n, _)| n == name).map(|(_, v)| v)
}

fn resolve(root: &Path, request: Option<InfraRequest>) -> TestInfra {
    TestInfra::resolve(root, request).expect("resolves")
}

#[test]
fn without_settings_the_default_is_embedded_and_says_why() {
    let dir = workspace_with_settings(None);
    let infra = resolve(dir.path(), None);
    assert_eq!(infra.name(), "embedded");
    assert!(
        infra
            .describe()
            .contains("`mediaflow up` has not written .mediaflow/infra.env"),
        "{}",
        infra.describe()
    );
    let error = TestInfra::resolve(dir.path(), Some(InfraRequest::Docker))
        .expect_err("docker asked for, none there");
    assert!(
        error.to_string().contains("start it with `mediaflow up`"),
        "{error}"
    );
}

#[test]
fn settings_whose_server_does_not_answer_fall_back_to_embedded_naming_it() {
    let port = closed_port();
    let text = format!("MEDIAFLOW_REDIS_URL=redis://127.0.0.1:{port}\n");
    let dir = workspace_with_settings(Some(&text));
    let infra = resolve(dir.path(), None);
    assert_eq!(infra.name(), "embedded");
    assert!(
        infra.describe().contains(&format!(
            "MEDIAFLOW_REDIS_URL names 127.0.0.1:{port}, which does not answer"
        )),
        "{}",
        infra.describe()
    );
    assert!(TestInfra::resolve(dir.path(), Some(InfraRequest::Docker)).is_err());
}

#[test]
fn answering_servers_select_docker_and_reach_the_tests_environment() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let url = format!("redis://:secret@127.0.0.1:{port}/0");
    let dir = workspace_with_settings(Some(&format!("MEDIAFLOW_REDIS_URL={url}\n")));
    let infra = resolve(dir.path(), None);
    assert_eq!(infra.name(), "docker");
    assert!(infra.describe().contains("Redis"), "{}", infra.describe());
    let env = infra.environment();
    assert_eq!(
        env_value(&env, "MEDIAFLOW_TEST_INFRA"),
        Some(&Some("docker".to_owned()))
    );
    assert_eq!(
        env_value(&env, "MEDIAFLOW_REDIS_URL"),
        Some(&Some(url.clone()))
    );
    assert_eq!(
        env_value(&env, "MEDIAFLOW_TEST_REDIS_URL"),
        Some(&Some(url))
    );
    assert_eq!(
        env_value(&env, "MEDIAFLOW_TEST_POSTGRES_URL"),
        Some(&None),
        "a server not in the settings is removed, not inherited"
    );
}

#[test]
fn embedded_removes_every_backend_variable_a_shell_may_have_exported() {
    let dir = workspace_with_settings(None);
    let env = resolve(dir.path(), Some(InfraRequest::Embedded)).environment();
    assert_eq!(
        env_value(&env, "MEDIAFLOW_TEST_INFRA"),
        Some(&Some("embedded".to_owned()))
    );
    for name in [
        "MEDIAFLOW_DATABASE_URL",
        "MEDIAFLOW_TEST_POSTGRES_URL",
        "MEDIAFLOW_REDIS_URL",
        "MEDIAFLOW_TEST_REDIS_URL",
        "MEDIAFLOW_AMQP_URL",
        "MEDIAFLOW_TEST_AMQP_URL",
    ] {
        assert_eq!(env_value(&env, name), Some(&None), "{name} removed");
    }
}

#[test]
fn server_addresses_are_read_from_urls_with_a_port() {
    let cases = [
        ("postgres://u:p@127.0.0.1:5432/db", Some("127.0.0.1:5432")),
        (
            "amqp://mediaflow:mediaflow@127.0.0.1:5672/%2f",
            Some("127.0.0.1:5672"),
        ),
        ("redis://127.0.0.1:6379", Some("127.0.0.1:6379")),
        ("http://127.0.0.1:9000?region=x", Some("127.0.0.1:9000")),
        ("http://example", None),
        ("not a url", None),
    ];
    for (url, expected) in cases {
        assert_eq!(server_address(url).as_deref(), expected, "{url}");
    }
}

#[test]
fn embedded_runs_leave_out_the_tests_that_need_servers_and_docker_runs_keep_them() {
    let catalog = mediaflow::workspace_gen::Sources::embedded()
        .and_then(|sources| sources.challenge())
        .expect("the embedded challenge")
        .catalog;
    let needs = catalog
        .needs_servers
        .clone()
        .expect("the challenge names its server-only tests");
    let dir = workspace_with_settings(None);
    let embedded = resolve(dir.path(), Some(InfraRequest::Embedded));
    assert_eq!(embedded.scope(&catalog), Some(format!("not ({needs})")));
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let dir = workspace_with_settings(Some(&format!(
        "MEDIAFLOW_DATABASE_URL=postgres://u:p@127.0.0.1:{port}/db\n"
    )));
    assert_eq!(resolve(dir.path(), None).scope(&catalog), None);
}
