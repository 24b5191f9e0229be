//! Watch mode's file watching on a real directory (inotify): a burst of saves under
//! `platform/` is reported once, with every file; editor scratch files and anything
//! outside `platform/` are not changes.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use mediaflow::dashboard::watch::{self, relevant};

/// Longer than the debounce plus inotify's delivery on a busy machine.
const REPORTED_WITHIN: Duration = Duration::from_secs(5);

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::create_dir_all(dir.path().join("platform/shared/src")).expect("platform/");
    std::fs::create_dir_all(dir.path().join("tests")).expect("tests/");
    dir
}

fn write(root: &Path, path: &str, text: &str) {
    std::fs::write(root.join(path), text).expect("write");
}

#[test]
fn a_burst_of_saves_is_reported_once_with_every_file() {
    let dir = workspace();
    let (sender, reports) = mpsc::channel();
    let _watch = watch::start(dir.path(), move |paths| {
        let _ = sender.send(paths);
    })
    .expect("watching starts");
    write(dir.path(), "platform/shared/src/money.rs", "pub fn a() {}");
    write(dir.path(), "platform/shared/src/money.rs", "pub fn b() {}");
    write(dir.path(), "platform/shared/src/lib.rs", "pub mod money;");
    let paths = reports
        .recv_timeout(REPORTED_WITHIN)
        .expect("the saves are reported");
    assert_eq!(
        paths,
        ["platform/shared/src/lib.rs", "platform/shared/src/money.rs"]
    );
    assert!(
        reports.recv_timeout(Duration::from_secs(1)).is_err(),
        "one report for the burst"
    );
}

#[test]
fn scratch_files_and_files_outside_platform_are_not_changes() {
    let dir = workspace();
    let (sender, reports) = mpsc::channel();
    let _watch = watch::start(dir.path(), move |paths| {
        let _ = sender.send(paths);
    })
    .expect("watching starts");
    write(dir.path(), "platform/shared/src/.money.rs.swp", "swap");
    write(dir.path(), "platform/shared/src/money.rs~", "backup");
    write(dir.path(), "platform/shared/src/4913", "vim's probe");
    write(dir.path(), "tests/unit.rs", "a test");
    assert!(
        reports.recv_timeout(Duration::from_secs(2)).is_err(),
        "nothing a person saved under platform/"
    );
}

#[test]
fn only_files_a_person_edits_count() {
    let root = Path::new("/w");
    let cases = [
        (
            "/w/platform/shared/src/money.rs",
            Some("platform/shared/src/money.rs"),
        ),
        (
            "/w/platform/services/billing/Cargo.toml",
            Some("platform/services/billing/Cargo.toml"),
        ),
        ("/w/platform/shared/src/.money.rs.swp", None),
        ("/w/platform/shared/src/money.rs~", None),
        ("/w/platform/shared/src/#money.rs#", None),
        ("/w/platform/shared/src/4913", None),
        ("/w/platform/target/debug/x", None),
        ("/w/.git/index", None),
        ("/elsewhere/platform/x.rs", None),
    ];
    for (path, expected) in cases {
        assert_eq!(
            relevant(root, Path::new(path)).as_deref(),
            expected,
            "{path}"
        );
    }
}

#[test]
fn watching_a_workspace_without_platform_says_what_failed() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let error = watch::start(dir.path(), |_| {}).expect_err("nothing to watch");
    let message = error.to_string();
    assert!(
        message.contains("platform") && message.contains("re-run by hand"),
        "{message}"
    );
}
