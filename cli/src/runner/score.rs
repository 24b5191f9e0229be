//! The weighted pass rate and the reward tier it reaches (DESIGN.md "Scoring"), from a
//! run's results and the catalog's categories and tiers. Bonuses, penalties and attempts
//! build on these.

use serde::{Deserialize, Serialize};

use crate::challenge::catalog::{Catalog, EfficiencyBudget, PenaltyMode, RewardSpec, Tier};

use super::outcome::Results;

/// One category's count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryTally {
    /// The category's name.
    pub name: String,
    /// Its weight.
    pub weight: f64,
    /// Tests that passed.
    pub passed: usize,
    /// Tests in the category (skipped ones excluded).
    pub total: usize,
}

impl CategoryTally {
    /// Whether the category has tests and all of them passed.
    pub fn complete(&self) -> bool {
        self.total > 0 && self.passed == self.total
    }
}

/// Counts passes per catalog category, in catalog order.
pub fn tally(catalog: &Catalog, results: &Results) -> Vec<CategoryTally> {
    catalog
        .categories
        .iter()
        .map(|category| {
            let (passed, total) = results
                .in_binary(&category.binary)
                .filter(|result| result.status != super::Status::Skipped)
                .fold((0, 0), |(passed, total), result| {
                    (passed + usize::from(result.passed()), total + 1)
                });
            CategoryTally {
                name: category.name.clone(),
                weight: category.weight,
                passed,
                total,
            }
        })
        .collect()
}

/// Σ w·passed / Σ w·total; 0 without tests. Exactly 1.0 when every test passed.
pub fn weighted_pass_rate(tallies: &[CategoryTally]) -> f64 {
    let weighted = |count: fn(&CategoryTally) -> usize| -> f64 {
        tallies
            .iter()
            .map(|tally| tally.weight * count(tally) as f64)
            .sum()
    };
    let total = weighted(|tally| tally.total);
    if total > 0.0 {
        weighted(|tally| tally.passed) / total
    } else {
        0.0
    }
}

/// The highest tier whose lower bound `rate` reaches (bounds inclusive).
pub fn tier(spec: &RewardSpec, rate: f64) -> Option<&Tier> {
    spec.tiers
        .iter()
        .filter(|tier| rate >= tier.min_pass_rate)
        .max_by(|a, b| a.min_pass_rate.total_cmp(&b.min_pass_rate))
}

/// The category whose full pass earns the chaos bonus.
pub const CHAOS_CATEGORY: &str = "chaos";

/// Everything besides the tallies the reward depends on.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RewardContext {
    /// Bonus bugs fixed (all their declared tests pass) and bonus bugs in all.
    pub bonus_bugs: (usize, usize),
    /// What the efficiency budget counts so far: scored attempts including this one, or
    /// hours since the workspace was created (whichever the catalog's budget names).
    pub attempts_used: u32,
    /// Hours since the workspace was created.
    pub hours_used: f64,
    /// Tests that passed in the previous attempt and fail now.
    pub regressed: usize,
    /// Tests that passed in the previous attempt.
    pub previously_passing: usize,
    /// Protected files differ from the start: the reward is 0.
    pub tampered: bool,
}

/// The reward and every term it is made of (DESIGN.md "Scoring").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reward {
    /// Σ w·passed / Σ w·total.
    pub weighted_pass_rate: f64,
    /// The reward of the tier the rate reaches.
    pub tier: f64,
    /// `per_category_bonus` × fully passing categories.
    pub category_bonus: f64,
    /// `chaos_bonus` when every chaos test passes.
    pub chaos_bonus: f64,
    /// `bonus_bugs_max` × fixed / total bonus bugs.
    pub bonus_bugs: f64,
    /// At 100 % only: `max_bonus` × max(0, 1 − used / budget).
    pub efficiency: f64,
    /// Subtracted for regressions since the previous attempt.
    pub penalty: f64,
    /// Whether protected files were changed (everything above is then void).
    pub tampered: bool,
    /// max(0, tier + bonuses − penalty); 0 when tampered.
    pub total: f64,
}

/// The reward for `tallies` under `spec`.
pub fn reward(spec: &RewardSpec, tallies: &[CategoryTally], context: &RewardContext) -> Reward {
    let rate = weighted_pass_rate(tallies);
    let tier_reward = tier(spec, rate).map_or(0.0, |tier| tier.reward);
    let complete = tallies.iter().filter(|tally| tally.complete()).count();
    let category_bonus = spec.per_category_bonus * complete as f64;
    let chaos_bonus = if tallies
        .iter()
        .any(|tally| tally.name == CHAOS_CATEGORY && tally.complete())
    {
        spec.chaos_bonus
    } else {
        0.0
    };
    let (fixed, bonus_total) = context.bonus_bugs;
    let bonus_bugs = if bonus_total == 0 {
        0.0
    } else {
        spec.bonus_bugs_max * fixed.min(bonus_total) as f64 / bonus_total as f64
    };
    let all_passed = !tallies.is_empty()
        && tallies.iter().any(|tally| tally.total > 0)
        && tallies.iter().all(|tally| tally.passed == tally.total);
    let efficiency = if all_passed {
        let used_share = match spec.efficiency.budget {
            EfficiencyBudget::Attempts(budget) => {
                f64::from(context.attempts_used) / f64::from(budget)
            }
            EfficiencyBudget::Hours(budget) => context.hours_used / budget,
        };
        spec.efficiency.max_bonus * (1.0 - used_share).max(0.0)
    } else {
        0.0
    };
    let penalty = if context.regressed == 0 {
        0.0
    } else {
        match spec.regression_penalty.mode {
            PenaltyMode::Flat => spec.regression_penalty.amount,
            PenaltyMode::Proportional => {
                let share = context.regressed as f64 / context.previously_passing.max(1) as f64;
                spec.regression_penalty.amount * share.min(1.0)
            }
        }
    };
    let total = if context.tampered {
        0.0
    } else {
        (tier_reward + category_bonus + chaos_bonus + bonus_bugs + efficiency - penalty).max(0.0)
    };
    Reward {
        weighted_pass_rate: rate,
        tier: tier_reward,
        category_bonus,
        chaos_bonus,
        bonus_bugs,
        efficiency,
        penalty,
        tampered: context.tampered,
        total,
    }
}
