//! The reward function of DESIGN.md "Scoring", with the shipped catalog's numbers: every
//! tier boundary, each bonus, the penalty in both modes, the floor and tampering.

use std::path::Path;

use mediaflow::challenge::catalog::{self, EfficiencyBudget, PenaltyMode, RewardSpec};
use mediaflow::runner::score::{CategoryTally, Reward, RewardContext, reward};

fn shipped() -> RewardSpec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../challenges/mediaflow/challenge.yaml");
    catalog::load(&path).expect("the shipped catalog").reward
}

fn tally(name: &str, weight: f64, passed: usize, total: usize) -> CategoryTally {
    CategoryTally {
        name: name.to_owned(),
        weight,
        passed,
        total,
    }
}

/// One unit category of 1000 tests with `passed` passing, and an empty chaos category
/// (never complete, weighs nothing), so below 100 % only the tier counts.
fn at(passed_per_mille: usize) -> Vec<CategoryTally> {
    vec![
        tally("unit", 1.0, passed_per_mille, 1000),
        tally("chaos", 3.0, 0, 0),
    ]
}

fn score(tallies: &[CategoryTally], context: &RewardContext) -> Reward {
    reward(&shipped(), tallies, context)
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() < 1e-9
}

#[test]
fn each_tier_starts_at_its_lower_bound_inclusive() {
    let table = [
        (0, 0.00),
        (99, 0.00),
        (100, 0.05),
        (249, 0.05),
        (250, 0.12),
        (399, 0.12),
        (400, 0.22),
        (549, 0.22),
        (550, 0.38),
        (699, 0.38),
        (700, 0.55),
        (849, 0.55),
        (850, 0.78),
        (999, 0.78),
    ];
    for (passed, expected) in table {
        let reward = score(&at(passed), &RewardContext::default());
        assert!(
            close(reward.tier, expected),
            "{passed}/1000 passing should reach tier {expected}, got {}",
            reward.tier
        );
        assert!(close(reward.total, expected), "no bonus below 100 %");
    }
}

#[test]
fn a_full_pass_reaches_one_plus_every_category_bonus_and_the_chaos_bonus() {
    let tallies = [
        tally("unit", 1.0, 175, 175),
        tally("integration", 1.5, 216, 216),
        tally("chaos", 3.0, 59, 59),
    ];
    let context = RewardContext {
        attempts_used: 200,
        ..RewardContext::default()
    };
    let reward = score(&tallies, &context);
    assert_eq!(reward.weighted_pass_rate, 1.0);
    assert!(close(reward.tier, 1.0));
    assert!(close(reward.category_bonus, 3.0 * 0.03));
    assert!(close(reward.chaos_bonus, 0.10));
    assert!(
        close(reward.efficiency, 0.0),
        "the whole budget used: no efficiency bonus"
    );
    assert!(close(reward.total, 1.0 + 0.09 + 0.10));
}

#[test]
fn the_chaos_bonus_needs_every_chaos_test_and_a_category_bonus_needs_the_whole_category() {
    let tallies = [tally("unit", 1.0, 10, 10), tally("chaos", 3.0, 58, 59)];
    let reward = score(&tallies, &RewardContext::default());
    assert!(close(reward.category_bonus, 0.03), "only unit is complete");
    assert!(close(reward.chaos_bonus, 0.0));
    let empty = [tally("unit", 1.0, 10, 10), tally("chaos", 3.0, 0, 0)];
    assert!(
        close(score(&empty, &RewardContext::default()).chaos_bonus, 0.0),
        "a chaos category without tests earns nothing"
    );
}

#[test]
fn bonus_bugs_earn_their_share_of_the_maximum() {
    let context = RewardContext {
        bonus_bugs: (3, 5),
        ..RewardContext::default()
    };
    let reward = score(&at(500), &context);
    assert!(close(reward.bonus_bugs, 0.10 * 3.0 / 5.0));
    assert!(close(reward.total, 0.22 + 0.06));
    let none = RewardContext {
        bonus_bugs: (0, 0),
        ..RewardContext::default()
    };
    assert!(
        close(score(&at(500), &none).bonus_bugs, 0.0),
        "no bonus bugs, no division by zero"
    );
}

#[test]
fn efficiency_counts_only_at_one_hundred_percent_and_shrinks_with_attempts() {
    let all = [tally("unit", 1.0, 4, 4)];
    let early = RewardContext {
        attempts_used: 50,
        ..RewardContext::default()
    };
    assert!(close(
        score(&all, &early).efficiency,
        0.05 * (1.0 - 50.0 / 200.0)
    ));
    let late = RewardContext {
        attempts_used: 350,
        ..RewardContext::default()
    };
    assert!(close(score(&all, &late).efficiency, 0.0), "never negative");
    assert!(
        close(score(&at(999), &early).efficiency, 0.0),
        "99.9 % is not 100 %"
    );

    let mut hours = shipped();
    hours.efficiency.budget = EfficiencyBudget::Hours(8.0);
    let context = RewardContext {
        hours_used: 2.0,
        ..RewardContext::default()
    };
    assert!(close(
        reward(&hours, &all, &context).efficiency,
        0.05 * 0.75
    ));
}

#[test]
fn any_regression_costs_the_flat_penalty_and_proportional_mode_scales_it() {
    let context = RewardContext {
        regressed: 1,
        previously_passing: 400,
        ..RewardContext::default()
    };
    let flat = score(&at(700), &context);
    assert!(close(flat.penalty, 0.15));
    assert!(close(flat.total, 0.55 - 0.15));

    let mut proportional = shipped();
    proportional.regression_penalty.mode = PenaltyMode::Proportional;
    let context = RewardContext {
        regressed: 100,
        previously_passing: 400,
        ..RewardContext::default()
    };
    let scaled = reward(&proportional, &at(700), &context);
    assert!(close(scaled.penalty, 0.15 * 0.25));
}

#[test]
fn the_total_is_floored_at_zero_and_tampering_voids_it() {
    let context = RewardContext {
        regressed: 3,
        previously_passing: 10,
        ..RewardContext::default()
    };
    let floored = score(&at(150), &context);
    assert!(close(floored.total, 0.0), "0.05 − 0.15 floors at 0");

    let tampered = RewardContext {
        tampered: true,
        ..RewardContext::default()
    };
    let all = [tally("unit", 1.0, 4, 4), tally("chaos", 3.0, 2, 2)];
    let reward = score(&all, &tampered);
    assert!(reward.tampered);
    assert!(close(reward.total, 0.0));
    assert!(close(reward.tier, 1.0), "the terms are still shown");
}
