//! A generated workspace is a real cargo workspace: it builds offline (the crates come
//! from the local cargo cache, the lock file is honoured and left unchanged) and its
//! runner profile is valid for nextest. It builds into the target directory shared by
//! the tests that build generated workspaces: the registry crates compile once, and a
//! path crate's artifacts are keyed by its path, so the generated crates never stand in
//! for the reference's (which live in the repository's own target directory).
//!
//! All bugs are planted, so this also proves they compile together. Every file is
//! freshly written, so cargo compiles the platform crates each time (≈ 50 s on two
//! cores with warm dependencies): longer than nextest's default 30 s slow-timeout.

#[path = "player_support/target.rs"]
mod target;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use mediaflow::workspace_gen::{self, InitOptions, Selection, Sources};
use target::shared_target;

/// Past this the build is stopped and the test fails: a cold build of the platform
/// crates takes about a minute on two cores, a warm one seconds.
const BUILD_LIMIT: Duration = Duration::from_secs(330);

#[test]
fn the_generated_workspace_builds_offline_with_its_lock_file_unchanged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = InitOptions {
        selection: Selection::All,
        force: false,
        started_at: Utc::now(),
    };
    let target = shared_target();
    let sources = Sources::embedded().expect("embedded sources");
    workspace_gen::init(&sources, dir.path(), &options).expect("init");
    let mut child = Command::new("cargo")
        .args(["build", "--offline", "--workspace", "--tests", "--quiet"])
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_TERM_COLOR", "never")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cargo runs");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > BUILD_LIMIT {
            let _killed = child.kill();
            panic!("the workspace did not build within {BUILD_LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = child
        .wait_with_output()
        .map(|output| String::from_utf8_lossy(&output.stderr).into_owned())
        .unwrap_or_default();
    assert!(
        status.success(),
        "the generated workspace must build offline:\n{stderr}"
    );
    let listed = Command::new("cargo")
        .args(["nextest", "list", "--offline", "--workspace"])
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .expect("cargo nextest runs");
    assert!(
        listed.status.success(),
        "nextest must accept the workspace's runner profile and list its tests:\n{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let repo = git2::Repository::open(dir.path()).expect("repo");
    let changed: Vec<String> = repo
        .statuses(None)
        .expect("status")
        .iter()
        .filter(|entry| !entry.status().is_ignored())
        .filter_map(|entry| entry.path().ok().map(str::to_owned))
        .collect();
    assert!(
        changed.is_empty(),
        "building must leave the start commit's files as they were: {changed:?}"
    );
}
