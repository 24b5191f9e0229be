//! The weighted pass rate and the reward tier it reaches (DESIGN.md "Scoring"), from a
//! run's results and the catalog's categories and tiers. Bonuses, penalties and attempts
//! build on these.

use serde::Serialize;

use crate::challenge::catalog::{Catalog, RewardSpec, Tier};

use super::outcome::Results;

/// One category's count.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
