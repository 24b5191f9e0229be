//! The `mediaflow` binary without a Docker engine: exit codes and the messages a person
//! sees for a missing engine, a bad argument, an invalid spec and a missing workspace.

use std::path::Path;
use std::process::{Command, Output};

const SPEC: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../infrastructure/infra.yaml"
));

/// An engine address where nothing listens.
const NO_ENGINE: &str = "unix:///nonexistent/mediaflow-tests/docker.sock";

fn workspace(spec: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("infrastructure")).expect("mkdir");
    std::fs::write(dir.path().join("infrastructure/infra.yaml"), spec).expect("write spec");
    dir
}

fn mediaflow(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mediaflow"))
        .args(args)
        .current_dir(cwd)
        .env("DOCKER_HOST", NO_ENGINE)
        .env("NO_COLOR", "1")
        .output()
        .expect("run mediaflow")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn without_an_engine_every_infrastructure_command_says_so_in_one_sentence_and_exits_2() {
    let dir = workspace(SPEC);
    for args in [
        &["up"][..],
        &["down"],
        &["status", "--json"],
        &["logs", "redis"],
    ] {
        let output = mediaflow(dir.path(), args);
        let shown = stderr(&output);
        assert_eq!(
            output.status.code(),
            Some(2),
            "`{}` without an engine: {shown}",
            args.join(" ")
        );
        assert_eq!(
            shown.lines().count(),
            1,
            "`{}` must explain in one line, not a stack trace: {shown}",
            args.join(" ")
        );
        assert!(
            shown.starts_with("error: no Docker engine is reachable (unix:///nonexistent/mediaflow-tests/docker.sock: no such socket)")
                && shown.contains("the embedded infrastructure, the default, needs no Docker"),
            "the sentence must name the engine tried and the embedded alternative: {shown}"
        );
    }
}

#[test]
fn an_unknown_service_is_a_usage_error_listing_the_known_ones_before_any_engine_is_needed() {
    let dir = workspace(SPEC);
    let output = mediaflow(dir.path(), &["up", "postgress"]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        stderr(&output).trim_end(),
        "error: unknown service `postgress`; known services are consul, minio, postgres, postgres-analytics, rabbitmq, redis"
    );
    let output = mediaflow(dir.path(), &["up", "--image", "postgress=postgres:16"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--image overrides the image of unknown service `postgress`"),
        "got: {}",
        stderr(&output)
    );
}

#[test]
fn a_malformed_image_flag_is_rejected_by_the_argument_parser() {
    let dir = workspace(SPEC);
    let output = mediaflow(dir.path(), &["up", "--image", "redis"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is not NAME=REF"),
        "got: {}",
        stderr(&output)
    );
}

#[test]
fn an_invalid_spec_is_reported_with_file_line_and_column() {
    let broken = SPEC.replacen("    healthcheck:\n", "    healtcheck:\n", 1);
    let dir = workspace(&broken);
    let output = mediaflow(dir.path(), &["up"]);
    let shown = stderr(&output);
    assert_eq!(output.status.code(), Some(2));
    let canonical = dir.path().canonicalize().expect("canonical");
    let prefix = format!(
        "error: {}:",
        canonical.join("infrastructure/infra.yaml").display()
    );
    assert!(
        shown.starts_with(&prefix) && shown.contains("healtcheck"),
        "got: {shown}"
    );
}

#[test]
fn outside_a_workspace_the_commands_say_how_to_name_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = mediaflow(dir.path(), &["status"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("pass --workspace DIR"),
        "got: {}",
        stderr(&output)
    );
}

#[test]
fn help_documents_the_exit_codes() {
    let output = mediaflow(Path::new("."), &["up", "--help"]);
    let shown = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        shown.contains(
            "Exit codes: 0 ok; 1 tests failed or reward below 1; 2 usage or environment error"
        ),
        "got: {shown}"
    );
}

#[test]
fn mediaflow_alone_outside_a_workspace_prints_the_help_and_how_to_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = mediaflow(dir.path(), &[]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout.contains("Usage: mediaflow"), "{stdout}");
    assert!(
        stdout.contains("`mediaflow play` creates one and opens its dashboard"),
        "{stdout}"
    );
}

#[test]
fn play_refuses_a_directory_that_holds_something_else() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("notes")).expect("mkdir");
    std::fs::write(dir.path().join("notes/todo.txt"), "mine").expect("write");
    let output = mediaflow(dir.path(), &["play", "notes"]);
    let shown = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{shown}");
    assert!(
        shown.contains("notes exists and is not a challenge workspace"),
        "{shown}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes/todo.txt")).expect("kept"),
        "mine",
        "nothing of the directory is touched"
    );
}
