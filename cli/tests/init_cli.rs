//! The `mediaflow init` command: works from any directory with the embedded sources,
//! prints no bug id, refuses to overwrite without `--force`, validates its options.

use std::path::Path;
use std::process::{Command, Output};

fn mediaflow(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mediaflow"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run mediaflow")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn init_outside_any_checkout_generates_a_workspace_from_the_embedded_sources() {
    let outside = tempfile::tempdir().expect("tempdir");
    let output = mediaflow(outside.path(), &["init", "play"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        text(&output.stderr)
    );
    let said = text(&output.stdout);
    assert!(
        said.contains("created play") && said.contains("cd play"),
        "got: {said}"
    );
    let ws = outside.path().join("play");
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        ".gitignore",
        ".mediaflow/state.json",
    ] {
        assert!(ws.join(file).is_file(), "the workspace must hold {file}");
    }
    assert!(ws.join("platform/shared/Cargo.toml").is_file());
    assert!(ws.join("tests/tests/unit.rs").is_file());
    assert!(
        !ws.join("challenges").exists(),
        "the challenge never reaches a workspace"
    );
    assert!(
        !ws.join("cli").exists(),
        "the runner is not part of the workspace"
    );

    let again = mediaflow(outside.path(), &["init", "play"]);
    assert_eq!(again.status.code(), Some(2), "a second init must refuse");
    assert!(
        text(&again.stderr).contains("pass --force"),
        "got: {}",
        text(&again.stderr)
    );
    let forced = mediaflow(outside.path(), &["init", "play", "--force"]);
    assert_eq!(
        forced.status.code(),
        Some(0),
        "stderr: {}",
        text(&forced.stderr)
    );
}

#[test]
fn init_options_are_checked_before_anything_is_written() {
    let outside = tempfile::tempdir().expect("tempdir");
    let seed_alone = mediaflow(outside.path(), &["init", "a", "--seed", "3"]);
    assert_eq!(seed_alone.status.code(), Some(2), "--seed needs --count");
    let both = mediaflow(
        outside.path(),
        &["init", "b", "--bugs", "G2", "--seed", "3", "--count", "1"],
    );
    assert_eq!(
        both.status.code(),
        Some(2),
        "--bugs and --seed exclude each other"
    );
    let unknown = mediaflow(outside.path(), &["init", "c", "--bugs", "Z99"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        text(&unknown.stderr).contains("bug Z99 is not in the catalog"),
        "got: {}",
        text(&unknown.stderr)
    );
    assert!(
        !outside.path().join("c").exists(),
        "a refused init creates nothing"
    );
}
