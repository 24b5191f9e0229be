//! A player's session with the real `mediaflow` binary on a freshly generated workspace
//! (bugs K1 and G2 planted): `test` shows failures and treats a compile error as a
//! result, `score` records attempts, fixing a bug (reverting its patch) raises the
//! reward, re-breaking it costs the regression penalty and names the changed file,
//! editing a test is reported as tampering with reward 0, and `restore` undoes it.
//!
//! The workspace lives at a fixed path under the repository's `target/` and builds into
//! the target directory shared by the tests that build generated workspaces, so
//! repeated runs rebuild only the platform crates.

mod player_support;

use std::path::Path;
use std::process::{Command, Output};

use player_support::{init_workspace, patch_bug, repo, shared_target};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_mediaflow");

fn mediaflow(workspace: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(workspace)
        .env("NO_COLOR", "1")
        .env("CARGO_TARGET_DIR", shared_target())
        .output()
        .expect("mediaflow runs")
}

/// Runs a command that prints JSON; returns its exit code and the JSON.
fn json(workspace: &Path, args: &[&str]) -> (i32, Value) {
    let output = mediaflow(workspace, args);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let value = serde_json::from_str(&stdout).unwrap_or_else(|error| {
        panic!(
            "`mediaflow {}` printed no JSON ({error}):\nstdout:\n{stdout}\nstderr:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap_or(-1), value)
}

fn fixed(attempt: &Value, family: &str) -> u64 {
    attempt["bugs_fixed"]
        .as_array()
        .expect("bugs_fixed")
        .iter()
        .find(|f| f["family"] == family)
        .map_or(0, |f| f["fixed"].as_u64().expect("fixed"))
}

fn f64_at(value: &Value, pointer: &str) -> f64 {
    value
        .pointer(pointer)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("{pointer} in {value:#}"))
}

#[test]
fn a_player_session_scores_fixes_regressions_tampering_and_restores() {
    let workspace = repo().join("target/play-e2e/workspace");
    init_workspace(BIN, &workspace, "K1,G2");

    // The unit category shows both bugs' unit tests failing.
    let (code, unit) = json(&workspace, &["test", "--category", "unit", "--json"]);
    assert_eq!(code, 1, "failures exit 1");
    let results = unit["categories"][0]["results"]
        .as_array()
        .expect("results");
    let failing: Vec<&str> = results
        .iter()
        .filter(|r| r["status"] == "failed")
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert!(
        failing
            .contains(&"mediaflow-tests::unit config::a_non_empty_string_is_not_silently_truthy"),
        "{failing:?}"
    );
    assert!(
        failing.contains(&"mediaflow-tests::unit billing::basic_to_premium_with_15_of_30_days_left_charges_exactly_two_fifty"),
        "{failing:?}"
    );
    let unit_total = results.len();

    // On the embedded infrastructure the tests that need real servers are not run or
    // counted (they could only pretend to pass); their embedded twins are.
    let (_, integration) = json(&workspace, &["test", "--category", "integration", "--json"]);
    assert_eq!(integration["infra"], "embedded");
    let ids: Vec<&str> = integration["categories"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert!(
        ids.iter()
            .any(|id| id.contains("store_conformance::sqlite::")),
        "the embedded copies run"
    );
    let server_only: Vec<&&str> = ids
        .iter()
        .filter(|id| {
            id.contains("store_conformance::postgres::")
                || id.contains("cache_conformance::redis::")
        })
        .collect();
    assert!(
        server_only.is_empty(),
        "left out on embedded: {server_only:?}"
    );

    // `mediaflow` alone without a terminal prints what `mediaflow test` prints.
    let bare = mediaflow(&workspace, &[]);
    let summary = String::from_utf8_lossy(&bare.stdout);
    assert_eq!(bare.status.code(), Some(1), "failures exit 1:\n{summary}");
    for heading in ["CATEGORY", "unit", "system", "weighted pass rate", "FAIL "] {
        assert!(summary.contains(heading), "`{heading}` in:\n{summary}");
    }

    // A compile error is a result: every unit test "did not build", the message shown.
    let money = workspace.join("platform/shared/src/money.rs");
    let original = std::fs::read_to_string(&money).expect("money.rs");
    std::fs::write(&money, format!("{original}\nfn broken( {{\n")).expect("write");
    let (code, broken) = json(&workspace, &["test", "--category", "unit", "--json"]);
    assert_eq!(code, 1);
    let errors = broken["build_errors"].as_array().expect("build_errors");
    assert!(
        errors
            .iter()
            .any(|e| e.as_str().is_some_and(|e| e.contains("money.rs"))),
        "the compiler's message names the file: {errors:?}"
    );
    let did_not_build = broken["categories"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["kind"] == "did_not_build")
        .count();
    assert_eq!(
        did_not_build, unit_total,
        "every unit test failed as not built"
    );
    std::fs::write(&money, &original).expect("restore money.rs");

    // Attempt 1: the starting point.
    let (_, first) = json(&workspace, &["score", "--json"]);
    assert_eq!(first["number"], 1);
    assert_eq!(first["regressions"].as_array().map(Vec::len), Some(0));
    assert_eq!((fixed(&first, "K"), fixed(&first, "G")), (0, 0));

    // Fixing K1 (its patch reverted) raises the pass rate and does not lower the reward.
    patch_bug(&workspace, "K1", true);
    let (_, second) = json(&workspace, &["score", "--json"]);
    assert_eq!(second["number"], 2);
    assert_eq!(fixed(&second, "K"), 1, "K1's declared tests pass: fixed");
    assert!(
        f64_at(&second, "/reward/weighted_pass_rate")
            > f64_at(&first, "/reward/weighted_pass_rate"),
        "fixing a bug raises the pass rate"
    );
    assert!(f64_at(&second, "/reward/total") >= f64_at(&first, "/reward/total"));
    let terms = [
        "tier",
        "category_bonus",
        "chaos_bonus",
        "bonus_bugs",
        "efficiency",
    ]
    .iter()
    .map(|term| f64_at(&second, &format!("/reward/{term}")))
    .sum::<f64>()
        - f64_at(&second, "/reward/penalty");
    assert!(
        (f64_at(&second, "/reward/total") - terms.max(0.0)).abs() < 1e-9,
        "total is the sum of its terms"
    );

    // Breaking it again: the tests that passed in attempt 2 regress, with the file named.
    patch_bug(&workspace, "K1", false);
    let (_, third) = json(&workspace, &["score", "--json"]);
    let regressions: Vec<&str> = third["regressions"]
        .as_array()
        .expect("regressions")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        regressions
            .contains(&"mediaflow-tests::unit config::a_non_empty_string_is_not_silently_truthy"),
        "{regressions:?}"
    );
    assert!((f64_at(&third, "/reward/penalty") - 0.15).abs() < 1e-9);
    let changed: Vec<&str> = third["changed_since_previous"]
        .as_array()
        .expect("changed files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(changed, ["platform/shared/src/config.rs"]);
    let diff = mediaflow(&workspace, &["diff", "2", "3"]);
    let diff = String::from_utf8_lossy(&diff.stdout);
    assert!(
        diff.contains("platform/shared/src/config.rs"),
        "diff 2 3 shows the file:\n{diff}"
    );
    assert!(
        diff.lines().any(|l| l.starts_with('+')),
        "and its added lines:\n{diff}"
    );
    let hint = mediaflow(
        &workspace,
        &["hint", "config::a_non_empty_string_is_not_silently_truthy"],
    );
    let hint = String::from_utf8_lossy(&hint.stdout);
    assert!(hint.starts_with("hint 1/"), "the first hint level:\n{hint}");

    // Editing a test is tampering: reward 0, the file named; restore puts it back.
    let test_file = workspace.join("tests/tests/unit/config.rs");
    let pristine = std::fs::read_to_string(&test_file).expect("test file");
    std::fs::write(&test_file, pristine.replace("assert", "debug_assert")).expect("edit test");
    let (code, tampered) = json(&workspace, &["score", "--json"]);
    assert_eq!(code, 1);
    assert_eq!(f64_at(&tampered, "/reward/total"), 0.0);
    assert_eq!(
        tampered["tampered"][0]["path"],
        "tests/tests/unit/config.rs"
    );
    let restore = mediaflow(&workspace, &["restore"]);
    assert!(restore.status.success());
    assert_eq!(
        std::fs::read_to_string(&test_file).expect("restored"),
        pristine
    );

    // History has the four attempts; the tampered one is marked.
    let history = mediaflow(&workspace, &["history"]);
    let text = String::from_utf8_lossy(&history.stdout);
    assert_eq!(text.lines().count(), 5, "header and four attempts:\n{text}");
    assert!(
        text.lines().nth(4).is_some_and(|l| l.contains("tampered")),
        "{text}"
    );
}

#[test]
fn outside_a_workspace_the_player_commands_say_how_to_get_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".mediaflow")).expect("marker without state");
    let output = mediaflow(dir.path(), &["test"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("mediaflow init"), "{stderr}");
}

#[test]
fn a_damaged_state_file_is_reported_and_left_as_it_is() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".mediaflow")).expect("mkdir");
    let state = dir.path().join(".mediaflow/state.json");
    std::fs::write(&state, "{ not json").expect("write");
    let output = mediaflow(dir.path(), &["score"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("damaged"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&state).expect("still there"),
        "{ not json"
    );
}
