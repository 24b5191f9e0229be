//! The challenge catalog: the shipped `challenge.yaml` is valid, and every rule of the
//! format is enforced with a message naming the place (line/column, or bug and field).

use std::path::Path;

use mediaflow::challenge::catalog::{
    self, CatalogError, ChallengeKind, EfficiencyBudget, PenaltyMode,
};

const SHIPPED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../challenges/mediaflow/challenge.yaml"
);

/// A valid catalog with one bug, edited by each case below.
const VALID: &str = r#"format_version: 1
id: demo
title: Demo
version: 1.0.0
categories:
  - { name: unit, binary: unit, weight: 1.0 }
  - { name: chaos, binary: chaos, weight: 3.0 }
reward:
  tiers:
    - { min_pass_rate: 0.0, reward: 0.0 }
    - { min_pass_rate: 0.5, reward: 0.4 }
    - { min_pass_rate: 1.0, reward: 1.0 }
  per_category_bonus: 0.03
  chaos_bonus: 0.1
  bonus_bugs_max: 0.1
  efficiency: { max_bonus: 0.05, budget_attempts: 200 }
  regression_penalty: { amount: 0.15, mode: flat }
protected: ["tests/**"]
bugs:
  - id: G2
    title: proration truncates daily rates
    family: G
    service: billing
    difficulty: 3
    bonus: true
    patch: bugs/G2.patch
    breaks: ["mediaflow-tests::unit billing::proration::upgrade_mid_cycle_charges_the_exact_difference"]
    scenario: 02-billing-discrepancies
    hints: ["look at money", "billing proration", "round once at the end"]
"#;

fn parse(text: &str) -> Result<catalog::Catalog, CatalogError> {
    catalog::parse(Path::new("challenge.yaml"), text)
}

#[test]
fn the_shipped_catalog_parses_and_validates_with_the_design_numbers() {
    let parsed = catalog::load(Path::new(SHIPPED)).expect("the shipped catalog must be valid");
    assert_eq!(parsed.id, "mediaflow");
    assert_eq!(parsed.kind, ChallengeKind::Debugging);
    let weights: Vec<(&str, f64)> = parsed
        .categories
        .iter()
        .map(|c| (c.name.as_str(), c.weight))
        .collect();
    assert_eq!(
        weights,
        [
            ("unit", 1.0),
            ("integration", 1.5),
            ("contract", 2.0),
            ("chaos", 3.0),
            ("security", 2.5),
            ("performance", 2.0),
            ("system", 3.0)
        ],
        "category weights must be DESIGN.md's"
    );
    let tiers: Vec<(f64, f64)> = parsed
        .reward
        .tiers
        .iter()
        .map(|t| (t.min_pass_rate, t.reward))
        .collect();
    assert_eq!(
        tiers,
        [
            (0.0, 0.0),
            (0.10, 0.05),
            (0.25, 0.12),
            (0.40, 0.22),
            (0.55, 0.38),
            (0.70, 0.55),
            (0.85, 0.78),
            (1.0, 1.0)
        ],
        "reward tiers must be DESIGN.md's"
    );
    assert_eq!(parsed.reward.per_category_bonus, 0.03);
    assert_eq!(parsed.reward.chaos_bonus, 0.10);
    assert_eq!(parsed.reward.bonus_bugs_max, 0.10);
    assert_eq!(parsed.reward.efficiency.max_bonus, 0.05);
    assert_eq!(
        parsed.reward.efficiency.budget,
        EfficiencyBudget::Attempts(200)
    );
    assert_eq!(parsed.reward.regression_penalty.amount, 0.15);
    assert_eq!(parsed.reward.regression_penalty.mode, PenaltyMode::Flat);
    assert_eq!(parsed.protected, ["tests/**", ".config/nextest.toml"]);
}

#[test]
fn a_complete_catalog_parses_with_every_field() {
    let parsed = parse(VALID).expect("valid");
    let bug = parsed.bug("G2").expect("G2 present");
    assert_eq!(bug.difficulty, 3);
    assert!(bug.bonus);
    assert_eq!(bug.scenario.as_deref(), Some("02-billing-discrepancies"));
    assert_eq!(bug.hints.len(), 3);
}

#[test]
fn an_hours_budget_is_accepted_instead_of_attempts() {
    let text = VALID.replace("budget_attempts: 200", "budget_hours: 4.5");
    let parsed = parse(&text).expect("hours budget is valid");
    assert_eq!(
        parsed.reward.efficiency.budget,
        EfficiencyBudget::Hours(4.5)
    );
}

#[test]
fn shape_errors_name_the_line_and_column() {
    let cases = [
        (
            "title: Demo",
            "title: Demo\ncolour: red",
            Some(4),
            "unknown field `colour`",
        ),
        (
            "id: G2",
            "id: g2",
            Some(20),
            "must be a family letter and a number",
        ),
        (
            "id: G2",
            "id: G02",
            Some(20),
            "must be a family letter and a number",
        ),
        (
            "mode: flat",
            "mode: harsh",
            Some(17),
            "unknown variant `harsh`",
        ),
        ("difficulty: 3", "difficulty: -1", Some(24), "expected u8"),
        (
            "budget_attempts: 200",
            "budget_attempts: 200, budget_hours: 2",
            // Checked after the section is read: serde places it at the enclosing map.
            None,
            "exactly one of budget_attempts or budget_hours",
        ),
        (
            "budget_attempts: 200",
            "budget_attempts: 0",
            None,
            "at least 1",
        ),
    ];
    for (from, to, line, expected) in cases {
        let text = VALID.replacen(from, to, 1);
        match parse(&text) {
            Err(CatalogError::Syntax {
                line: got, message, ..
            }) => {
                if let Some(line) = line {
                    assert_eq!(
                        got, line,
                        "`{to}` must be reported at line {line}: {message}"
                    );
                }
                assert!(
                    message.contains(expected),
                    "`{to}` must say `{expected}`, said: {message}"
                );
            }
            other => panic!("`{to}` must be a syntax error with a position, got {other:?}"),
        }
    }
}

#[test]
fn rule_violations_name_the_bug_and_field() {
    let cases = [
        ("family: G", "family: H", "bug G2, field family"),
        ("difficulty: 3", "difficulty: 6", "bug G2, field difficulty"),
        (
            r#"hints: ["look at money", "billing proration", "round once at the end"]"#,
            r#"hints: ["look at money"]"#,
            "bug G2, field hints",
        ),
        (
            "patch: bugs/G2.patch",
            "patch: ../G2.patch",
            "bug G2, field patch",
        ),
        (
            "patch: bugs/G2.patch",
            "patch: G2.patch",
            "bug G2, field patch",
        ),
        (
            "mediaflow-tests::unit billing",
            "mediaflow-tests::fuzz billing",
            "bug G2, field breaks",
        ),
        ("weight: 3.0", "weight: 0.0", "category chaos"),
        (
            "name: chaos, binary: chaos",
            "name: unit, binary: chaos",
            "category unit",
        ),
        (
            "min_pass_rate: 0.0, reward: 0.0",
            "min_pass_rate: 0.1, reward: 0.0",
            "reward.tiers",
        ),
        (
            "min_pass_rate: 1.0",
            "min_pass_rate: 0.4",
            "reward.tiers[2]",
        ),
        ("format_version: 1", "format_version: 2", "format_version"),
        (
            "chaos_bonus: 0.1",
            "chaos_bonus: -0.1",
            "reward.chaos_bonus",
        ),
        (r#"protected: ["tests/**"]"#, "protected: []", "protected"),
    ];
    for (from, to, place) in cases {
        let text = VALID.replacen(from, to, 1);
        assert_ne!(text, VALID, "case `{to}` must change the catalog");
        match parse(&text) {
            Err(CatalogError::Invalid { problems, .. }) => assert!(
                problems.iter().any(|p| p.at == place),
                "`{to}` must be reported at `{place}`, got {problems:?}"
            ),
            other => panic!("`{to}` must be a rule violation, got {other:?}"),
        }
    }
}

#[test]
fn duplicate_bug_ids_are_refused_and_every_problem_is_listed() {
    let bug_start = VALID.find("  - id: G2").expect("bug entry");
    let bug = &VALID[bug_start..];
    let text = format!("{VALID}{}", bug.replace("difficulty: 3", "difficulty: 0"));
    let Err(CatalogError::Invalid { problems, .. }) = parse(&text) else {
        panic!("a duplicate id must be invalid");
    };
    let places: Vec<&str> = problems.iter().map(|p| p.at.as_str()).collect();
    assert_eq!(
        places,
        ["bug G2", "bug G2, field difficulty"],
        "both the duplicate and the bad difficulty must be reported in one pass"
    );
}

#[test]
fn the_error_message_names_the_file() {
    let error = parse("format_version: 1\n").expect_err("incomplete");
    assert!(
        error.to_string().starts_with("challenge.yaml:"),
        "got: {error}"
    );
}
