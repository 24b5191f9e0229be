//! Reading a run back: nextest's JUnit report (a real one, captured from nextest with the
//! runner's profile) into per-test outcomes, and outcomes into the weighted pass rate and
//! reward tier of DESIGN.md "Scoring".

use std::path::Path;
use std::time::Duration;

use mediaflow::challenge::catalog;
use mediaflow::runner::score::{self, CategoryTally};
use mediaflow::runner::{FailureKind, Results, Status, TestId, TestResult, junit};

/// A report nextest 0.9 wrote for one binary with a pass, an assertion failure, a panic
/// with output, a timeout, leaked handles and an ignored test.
const MIXED: &str = include_str!("fixtures/junit/nextest-mixed.xml");

fn mixed() -> Results {
    Results::from_results(junit::parse(MIXED).expect("the captured report parses"))
}

fn outcome<'a>(results: &'a Results, name: &str) -> &'a TestResult {
    results
        .get(&TestId::new("mediaflow-tests::unit", name))
        .unwrap_or_else(|| panic!("the report has {name}"))
}

#[test]
fn every_test_case_of_the_report_becomes_one_outcome_named_by_binary_id_and_path() {
    let results = mixed();
    let names: Vec<String> = results.iter().map(|r| r.id.to_string()).collect();
    assert_eq!(
        names,
        [
            "mediaflow-tests::unit hangs",
            "mediaflow-tests::unit leaks",
            "mediaflow-tests::unit money::adds_up",
            "mediaflow-tests::unit money::ignored_one",
            "mediaflow-tests::unit money::rounds_half_to_even",
            "mediaflow-tests::unit prints_then_fails",
        ]
    );
    assert!(results.iter().all(|r| r.id.binary() == "unit"));
}

#[test]
fn each_kind_of_failure_is_told_apart() {
    let results = mixed();
    let status = |name| outcome(&results, name).status;
    assert_eq!(status("money::adds_up"), Status::Passed);
    assert_eq!(status("money::ignored_one"), Status::Skipped);
    assert_eq!(
        status("money::rounds_half_to_even"),
        Status::Failed(FailureKind::Failed)
    );
    assert_eq!(status("hangs"), Status::Failed(FailureKind::Timeout));
    assert_eq!(status("leaks"), Status::Failed(FailureKind::Leak));
    assert_eq!(
        results.failures().count(),
        4,
        "skipped tests are not failures"
    );
}

#[test]
fn a_failed_assert_eq_keeps_its_message_and_both_sides() {
    let results = mixed();
    let failed = outcome(&results, "money::rounds_half_to_even");
    assert!(
        failed
            .message
            .contains("Basic to Premium with 15 of 30 days left"),
        "{}",
        failed.message
    );
    assert!(failed.message.contains("left: 251"), "{}", failed.message);
    assert!(failed.message.contains("right: 250"), "{}", failed.message);
}

#[test]
fn messages_and_output_leave_out_the_test_harness_framing() {
    let results = mixed();
    for name in ["money::rounds_half_to_even", "prints_then_fails"] {
        let failed = outcome(&results, name);
        for framing in [
            "test result:",
            "note: run with `RUST_BACKTRACE",
            "... FAILED",
        ] {
            assert!(
                !failed.message.contains(framing) && !failed.output.contains(framing),
                "{name} shows `{framing}`:\nmessage:\n{}\noutput:\n{}",
                failed.message,
                failed.output
            );
        }
        assert!(
            !failed.output.contains("running 1 test") && !failed.output.contains("panicked at"),
            "{name}'s output repeats the framing or the panic:\n{}",
            failed.output
        );
    }
}

#[test]
fn captured_output_is_unescaped_stdout_then_stderr_and_passing_tests_carry_none() {
    let results = mixed();
    let failed = outcome(&results, "prints_then_fails");
    assert!(
        failed.message.contains("boom: value was 7"),
        "{}",
        failed.message
    );
    let stdout = failed
        .output
        .find("stdout line <b>&")
        .expect("stdout kept, XML unescaped");
    let stderr = failed.output.find("stderr line").expect("stderr kept");
    assert!(stdout < stderr, "stdout comes first:\n{}", failed.output);
    assert!(outcome(&results, "money::adds_up").output.is_empty());
    assert_eq!(
        outcome(&results, "hangs").message,
        "test timeout",
        "a timeout says so even without output"
    );
}

#[test]
fn durations_are_read_and_a_zero_time_is_no_duration() {
    let results = mixed();
    let hung = outcome(&results, "hangs").duration.expect("timed");
    assert!(hung >= Duration::from_secs(2), "{hung:?}");
    assert_eq!(outcome(&results, "money::ignored_one").duration, None);
}

#[test]
fn a_damaged_report_is_an_error_not_an_empty_run() {
    let error = junit::parse("<testsuites><testsuite name=").expect_err("truncated XML");
    assert!(error.to_string().contains("JUnit report"), "{error}");
}

#[test]
fn full_test_names_parse_as_the_catalog_writes_them() {
    let id = TestId::parse("mediaflow-tests::chaos gateway::a_breaker_opens").expect("valid");
    assert_eq!(id.binary_id, "mediaflow-tests::chaos");
    assert_eq!(id.binary(), "chaos");
    assert_eq!(id.name, "gateway::a_breaker_opens");
    assert_eq!(
        id.to_string(),
        "mediaflow-tests::chaos gateway::a_breaker_opens"
    );
    assert_eq!(TestId::parse("no-space"), None);
    assert_eq!(TestId::parse("binary "), None);
}

const CATALOG: &str = r#"format_version: 1
id: demo
title: Demo
version: 1.0.0
categories:
  - { name: unit, binary: unit, weight: 1.0 }
  - { name: chaos, binary: chaos, weight: 3.0 }
reward:
  tiers:
    - { min_pass_rate: 0.0, reward: 0.0 }
    - { min_pass_rate: 0.55, reward: 0.38 }
    - { min_pass_rate: 0.85, reward: 0.78 }
    - { min_pass_rate: 1.0, reward: 1.0 }
  per_category_bonus: 0.03
  chaos_bonus: 0.1
  bonus_bugs_max: 0.1
  efficiency: { max_bonus: 0.05, budget_attempts: 200 }
  regression_penalty: { amount: 0.15, mode: flat }
protected: ["tests/**"]
bugs: []
"#;

fn results(unit: (usize, usize), chaos: (usize, usize)) -> Results {
    let mut all = Vec::new();
    for (binary, (passed, total)) in [("unit", unit), ("chaos", chaos)] {
        for i in 0..total {
            all.push(TestResult {
                id: TestId::new(format!("mediaflow-tests::{binary}"), format!("t{i}")),
                status: if i < passed {
                    Status::Passed
                } else {
                    Status::Failed(FailureKind::Failed)
                },
                duration: None,
                message: String::new(),
                output: String::new(),
            });
        }
    }
    Results::from_results(all)
}

fn rate(unit: (usize, usize), chaos: (usize, usize)) -> (Vec<CategoryTally>, f64) {
    let catalog = catalog::parse(Path::new("challenge.yaml"), CATALOG).expect("valid");
    let tallies = score::tally(&catalog, &results(unit, chaos));
    let rate = score::weighted_pass_rate(&tallies);
    (tallies, rate)
}

#[test]
fn the_pass_rate_weighs_each_category_by_its_weight_times_its_size() {
    // (1.0·8 + 3.0·1) / (1.0·10 + 3.0·2) = 11/16
    let (tallies, rate) = rate((8, 10), (1, 2));
    assert_eq!(
        tallies
            .iter()
            .map(|t| (t.name.as_str(), t.passed, t.total))
            .collect::<Vec<_>>(),
        [("unit", 8, 10), ("chaos", 1, 2)]
    );
    assert!((rate - 11.0 / 16.0).abs() < 1e-12, "{rate}");
    assert!(!tallies[0].complete());
}

#[test]
fn everything_passing_is_exactly_one_and_reaches_the_top_tier() {
    let (tallies, rate) = rate((175, 175), (59, 59));
    assert_eq!(rate, 1.0);
    assert!(tallies.iter().all(CategoryTally::complete));
    let catalog = catalog::parse(Path::new("challenge.yaml"), CATALOG).expect("valid");
    assert_eq!(
        score::tier(&catalog.reward, rate).map(|t| t.reward),
        Some(1.0)
    );
}

#[test]
fn tier_lower_bounds_are_inclusive() {
    let catalog = catalog::parse(Path::new("challenge.yaml"), CATALOG).expect("valid");
    let reward = |rate| score::tier(&catalog.reward, rate).map(|t| t.reward);
    assert_eq!(reward(0.55), Some(0.38));
    assert_eq!(reward(0.549_999), Some(0.0));
    assert_eq!(reward(0.85), Some(0.78));
    assert_eq!(
        reward(0.999_999),
        Some(0.78),
        "only a full pass reaches 1.0"
    );
}

#[test]
fn no_tests_is_a_zero_rate_not_a_division_by_zero() {
    let (_, rate) = rate((0, 0), (0, 0));
    assert_eq!(rate, 0.0);
}
