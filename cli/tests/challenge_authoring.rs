//! Authoring on a temporary git repository: `record` turns edits into a patch and
//! restores the reference, `refresh` follows a moved reference and refuses conflicts
//! without writing, `check` proves patches apply; and the CLI's exit codes for them.

use std::path::Path;
use std::process::{Command, Output};

use mediaflow::challenge::GitReference;
use mediaflow::challenge::authoring::{self, AuthoringError, Challenge, RefreshOutcome};

const LIB: &str = "platform/shared/src/lib.rs";

fn git(root: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .arg("-C")
        .arg(root)
        .args(args)
        .output()
        .expect("run git");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn write(root: &Path, path: &str, text: &str) {
    let file = root.join(path);
    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    std::fs::write(file, text).expect("write");
}

fn read(root: &Path, path: &str) -> String {
    std::fs::read_to_string(root.join(path)).expect("read")
}

fn catalog(bugs: &[&str]) -> String {
    let mut text = "\
format_version: 1
id: demo
title: Demo
version: 1.0.0
categories: [{ name: unit, binary: unit, weight: 1.0 }]
reward:
  tiers: [{ min_pass_rate: 0.0, reward: 0.0 }, { min_pass_rate: 1.0, reward: 1.0 }]
  per_category_bonus: 0.03
  chaos_bonus: 0.1
  bonus_bugs_max: 0.1
  efficiency: { max_bonus: 0.05, budget_attempts: 200 }
  regression_penalty: { amount: 0.15, mode: flat }
protected: [\"tests/**\"]
bugs:
"
    .to_owned();
    if bugs.is_empty() {
        text = text.replace("bugs:\n", "bugs: []\n");
    }
    for id in bugs {
        text.push_str(&format!(
            "  - {{ id: {id}, title: t, family: {}, service: shared, difficulty: 2, patch: bugs/{id}.patch, breaks: [\"mediaflow-tests::unit t::x\"], hints: [a, b] }}\n",
            &id[..1]
        ));
    }
    text
}

fn source() -> String {
    (1..=30)
        .map(|n| format!("pub fn f{n}() -> u32 {{ {n} }}\n"))
        .collect()
}

/// A committed repository with the reference source and a catalog of `bugs`.
fn repository(bugs: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    git(root, &["init", "-q"]);
    write(root, LIB, &source());
    write(root, "challenges/mediaflow/challenge.yaml", &catalog(bugs));
    std::fs::create_dir_all(root.join(".mediaflow")).expect("workspace marker");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "reference"]);
    dir
}

fn open(root: &Path) -> (GitReference, Challenge) {
    let reference = GitReference::open(root).expect("a git repository");
    let challenge = Challenge::load(&root.join("challenges/mediaflow")).expect("valid catalog");
    (reference, challenge)
}

fn plant_and_record(root: &Path, id: &str, from: &str, to: &str) {
    write(root, LIB, &source().replace(from, to));
    let (reference, challenge) = open(root);
    authoring::record(&reference, &challenge, id).expect("record");
}

#[test]
fn record_writes_the_patch_and_restores_the_reference() {
    let dir = repository(&["C1"]);
    let root = dir.path();
    write(root, LIB, &source().replace("{ 12 }", "{ 13 }"));
    write(
        root,
        "platform/shared/src/extra.rs",
        "pub const X: u8 = 1;\n",
    );
    let (reference, challenge) = open(root);
    let report = authoring::record(&reference, &challenge, "C1").expect("record");
    assert_eq!(report.hunks, 2, "one hunk per changed file");
    assert!(!report.replaced);
    assert_eq!(
        read(root, LIB),
        source(),
        "the edited file must be restored"
    );
    assert!(
        !root.join("platform/shared/src/extra.rs").exists(),
        "a file the bug adds must be removed from the reference"
    );
    let patch = read(root, "challenges/mediaflow/bugs/C1.patch");
    assert!(
        patch.contains("-pub fn f12() -> u32 { 12 }\n+pub fn f12() -> u32 { 13 }\n"),
        "{patch}"
    );
    assert!(
        patch.contains("new file mode 100644\n--- /dev/null\n+++ b/platform/shared/src/extra.rs\n"),
        "{patch}"
    );
    let report = authoring::check(&reference, &challenge).expect("check runs");
    assert!(report.passed(), "{report:?}");
    assert!(report.bugs[0].current, "a just-recorded patch is current");
}

#[test]
fn record_refuses_unknown_bugs_and_a_clean_tree() {
    let dir = repository(&["C1"]);
    let (reference, challenge) = open(dir.path());
    assert!(matches!(
        authoring::record(&reference, &challenge, "Z9"),
        Err(AuthoringError::UnknownBug { .. })
    ));
    let error = authoring::record(&reference, &challenge, "C1").expect_err("nothing changed");
    assert!(
        error.to_string().starts_with("nothing to record"),
        "{error}"
    );
}

#[test]
fn refresh_rewrites_a_patch_whose_context_moved_and_keeps_current_ones() {
    let dir = repository(&["C1", "G2"]);
    let root = dir.path();
    plant_and_record(root, "C1", "{ 20 }", "{ 21 }");
    plant_and_record(root, "G2", "{ 3 }", "{ 4 }");
    let g2_before = read(root, "challenges/mediaflow/bugs/G2.patch");
    write(
        root,
        LIB,
        &format!(
            "//! Moved.\nuse std::fmt;\n\n{}",
            source().replace("f10()", "f10_renamed()")
        ),
    );
    git(root, &["commit", "-q", "-am", "reference moves"]);
    let (reference, challenge) = open(root);
    let stale = authoring::check(&reference, &challenge).expect("check");
    assert!(
        stale.passed(),
        "shifted patches still apply by content: {stale:?}"
    );
    assert_eq!(
        stale.stale().count(),
        2,
        "both patches name old line numbers"
    );

    let report = authoring::refresh(&reference, &challenge).expect("refresh");
    let outcomes: Vec<RefreshOutcome> = report.bugs.iter().map(|(_, _, o)| *o).collect();
    assert_eq!(
        outcomes,
        [RefreshOutcome::Rewritten, RefreshOutcome::Rewritten]
    );
    let c1 = read(root, "challenges/mediaflow/bugs/C1.patch");
    assert!(
        c1.contains("@@ -20,7 +20,7 @@"),
        "C1 must name its new lines:\n{c1}"
    );
    assert!(c1.contains(" pub fn f19() -> u32 { 19 }\n"), "{c1}");
    assert_ne!(read(root, "challenges/mediaflow/bugs/G2.patch"), g2_before);
    let again = authoring::refresh(&reference, &challenge).expect("second refresh");
    assert!(
        again
            .bugs
            .iter()
            .all(|(_, _, o)| *o == RefreshOutcome::Unchanged),
        "refreshing twice changes nothing"
    );
    assert!(
        authoring::check(&reference, &challenge)
            .expect("check")
            .stale()
            .next()
            .is_none()
    );
}

#[test]
fn a_real_conflict_fails_naming_bug_and_hunk_and_writes_nothing() {
    let dir = repository(&["C1", "G2"]);
    let root = dir.path();
    plant_and_record(root, "C1", "{ 20 }", "{ 21 }");
    plant_and_record(root, "G2", "{ 3 }", "{ 4 }");
    write(
        root,
        LIB,
        &format!("// moved\n{}", source().replace("{ 20 }", "{ 200 }")),
    );
    git(
        root,
        &["commit", "-q", "-am", "reference changes C1's site"],
    );
    let patches = |root: &Path| {
        (
            read(root, "challenges/mediaflow/bugs/C1.patch"),
            read(root, "challenges/mediaflow/bugs/G2.patch"),
        )
    };
    let before = patches(root);
    let (reference, challenge) = open(root);
    let error = authoring::refresh(&reference, &challenge).expect_err("C1 conflicts");
    assert!(
        error
            .to_string()
            .contains("hunk 1 of platform/shared/src/lib.rs does not match (bug C1)"),
        "{error}"
    );
    assert_eq!(
        patches(root),
        before,
        "no patch may be rewritten, not even G2's"
    );
    let report = authoring::check(&reference, &challenge).expect("check");
    assert!(!report.passed());
    assert!(report.bugs[0].error.is_some() && report.bugs[1].error.is_none());
}

#[test]
fn patches_that_collide_apply_alone_but_fail_together() {
    let dir = repository(&["C1", "C2"]);
    let root = dir.path();
    plant_and_record(root, "C1", "{ 20 }", "{ 21 }");
    plant_and_record(root, "C2", "{ 20 }", "{ 22 }");
    let (reference, challenge) = open(root);
    let report = authoring::check(&reference, &challenge).expect("check");
    assert!(
        report.bugs.iter().all(|bug| bug.error.is_none()),
        "each applies alone"
    );
    let together = report.together.expect("they edit the same line");
    assert!(together.contains("(bug C2)"), "{together}");
}

fn mediaflow(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mediaflow"))
        .args(args)
        .arg("--workspace")
        .arg(root)
        .env("NO_COLOR", "1")
        .output()
        .expect("run mediaflow")
}

#[test]
fn the_cli_check_exits_0_when_patches_apply_and_1_when_one_does_not() {
    let dir = repository(&["C1"]);
    let root = dir.path();
    plant_and_record(root, "C1", "{ 20 }", "{ 21 }");
    let ok = mediaflow(root, &["challenge", "check", "--json"]);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&ok.stdout).expect("json");
    assert_eq!(json["passed"], true);
    assert_eq!(json["bugs"][0]["id"], "C1");

    write(root, LIB, &source().replace("{ 20 }", "{ 0 }"));
    git(root, &["commit", "-q", "-am", "site gone"]);
    let failed = mediaflow(root, &["challenge", "check"]);
    assert_eq!(
        failed.status.code(),
        Some(1),
        "a patch that does not apply fails the check"
    );
    assert!(String::from_utf8_lossy(&failed.stdout).contains("does not match (bug C1)"));
}

#[test]
fn the_cli_reports_usage_errors_with_exit_2() {
    let dir = repository(&["C1"]);
    let output = mediaflow(dir.path(), &["challenge", "record", "Q7"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("bug Q7 is not in the catalog (known: C1)")
    );
    write(
        dir.path(),
        "challenges/mediaflow/challenge.yaml",
        "format_version: 1\nfoo: 1\n",
    );
    let output = mediaflow(dir.path(), &["challenge", "check"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "an invalid catalog fails the check"
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("challenge.yaml:"));
}
