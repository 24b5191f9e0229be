//! Rules across the catalog's values, checked after parsing. Every broken rule is
//! reported (not only the first) so an author fixes them in one pass.

use std::collections::HashSet;

use crate::challenge::path::TreePath;

use super::BUGS_DIR;
use super::error::Problem;
use super::model::{Bug, Catalog, FORMAT_VERSION, RewardSpec};

/// Hints per bug: a nudge, a location, and optionally a near-fix.
const HINTS: std::ops::RangeInclusive<usize> = 2..=3;

/// Difficulty scale.
const DIFFICULTY: std::ops::RangeInclusive<u8> = 1..=5;

/// Every rule `catalog` breaks, in catalog order; empty when valid.
pub fn validate(catalog: &Catalog) -> Vec<Problem> {
    let mut problems = Vec::new();
    if catalog.format_version != FORMAT_VERSION {
        problems.push(Problem::new(
            "format_version",
            format!(
                "is {}, this mediaflow reads {FORMAT_VERSION}; use a matching mediaflow",
                catalog.format_version
            ),
        ));
    }
    for (field, value) in [
        ("id", &catalog.id),
        ("title", &catalog.title),
        ("version", &catalog.version),
    ] {
        if value.trim().is_empty() {
            problems.push(Problem::new(field, "must not be empty"));
        }
    }
    categories(catalog, &mut problems);
    reward(&catalog.reward, &mut problems);
    if catalog.protected.is_empty() {
        problems.push(Problem::new(
            "protected",
            "list at least the tests (`tests/**`)",
        ));
    }
    for pattern in &catalog.protected {
        let plain = pattern.replace("**", "x").replace('*', "x");
        if TreePath::parse(&plain).is_err() {
            problems.push(Problem::new(
                "protected",
                format!("`{pattern}` must be a relative path or glob inside the workspace"),
            ));
        }
    }
    let binaries: Vec<&str> = catalog
        .categories
        .iter()
        .map(|c| c.binary.as_str())
        .collect();
    let mut ids = HashSet::new();
    for bug in &catalog.bugs {
        if !ids.insert(bug.id.as_str()) {
            problems.push(Problem::new(
                format!("bug {}", bug.id),
                "id appears twice; give each bug its own number",
            ));
        }
        check_bug(bug, &binaries, &mut problems);
    }
    problems
}

fn categories(catalog: &Catalog, problems: &mut Vec<Problem>) {
    if catalog.categories.is_empty() {
        problems.push(Problem::new("categories", "list at least one category"));
    }
    let mut names = HashSet::new();
    let mut binaries = HashSet::new();
    for category in &catalog.categories {
        let at = format!("category {}", category.name);
        if category.name.trim().is_empty() || category.binary.trim().is_empty() {
            problems.push(Problem::new(&at, "name and binary must not be empty"));
        }
        if !names.insert(category.name.as_str()) {
            problems.push(Problem::new(&at, "name appears twice"));
        }
        if !binaries.insert(category.binary.as_str()) {
            problems.push(Problem::new(&at, "binary is already another category's"));
        }
        if !(category.weight.is_finite() && category.weight > 0.0) {
            problems.push(Problem::new(
                &at,
                format!("weight {} must be a positive number", category.weight),
            ));
        }
    }
}

fn reward(spec: &RewardSpec, problems: &mut Vec<Problem>) {
    match spec.tiers.first() {
        None => problems.push(Problem::new("reward.tiers", "list at least one tier")),
        Some(first) if first.min_pass_rate != 0.0 => problems.push(Problem::new(
            "reward.tiers",
            format!(
                "the first tier must start at min_pass_rate 0, not {}",
                first.min_pass_rate
            ),
        )),
        Some(_) => {}
    }
    for (number, tier) in spec.tiers.iter().enumerate() {
        let at = format!("reward.tiers[{number}]");
        if !(0.0..=1.0).contains(&tier.min_pass_rate) {
            problems.push(Problem::new(
                &at,
                format!("min_pass_rate {} must be within 0..=1", tier.min_pass_rate),
            ));
        }
        if !(tier.reward.is_finite() && tier.reward >= 0.0) {
            problems.push(Problem::new(
                &at,
                format!("reward {} must be a number ≥ 0", tier.reward),
            ));
        }
    }
    for (number, pair) in spec.tiers.windows(2).enumerate() {
        if let [lower, upper] = pair
            && !(upper.min_pass_rate > lower.min_pass_rate && upper.reward >= lower.reward)
        {
            problems.push(Problem::new(
                format!("reward.tiers[{}]", number + 1),
                "tiers must ascend: a higher min_pass_rate and a reward no lower than the tier before",
            ));
        }
    }
    for (field, value) in [
        ("reward.per_category_bonus", spec.per_category_bonus),
        ("reward.chaos_bonus", spec.chaos_bonus),
        ("reward.bonus_bugs_max", spec.bonus_bugs_max),
        ("reward.efficiency.max_bonus", spec.efficiency.max_bonus),
        (
            "reward.regression_penalty.amount",
            spec.regression_penalty.amount,
        ),
    ] {
        if !(value.is_finite() && value >= 0.0) {
            problems.push(Problem::new(field, format!("{value} must be a number ≥ 0")));
        }
    }
}

fn check_bug(bug: &Bug, binaries: &[&str], problems: &mut Vec<Problem>) {
    let at = |field: &str| format!("bug {}, field {field}", bug.id);
    if bug.family != bug.id.family() {
        problems.push(Problem::new(
            at("family"),
            format!(
                "is `{}` but the id starts with `{}`; they must agree",
                bug.family,
                bug.id.family()
            ),
        ));
    }
    for (field, value) in [("title", &bug.title), ("service", &bug.service)] {
        if value.trim().is_empty() {
            problems.push(Problem::new(at(field), "must not be empty"));
        }
    }
    if !DIFFICULTY.contains(&bug.difficulty) {
        problems.push(Problem::new(
            at("difficulty"),
            format!("is {}, must be 1 to 5", bug.difficulty),
        ));
    }
    if !HINTS.contains(&bug.hints.len()) || bug.hints.iter().any(|h| h.trim().is_empty()) {
        problems.push(Problem::new(
            at("hints"),
            format!(
                "has {} hint(s); give 2 or 3 non-empty ones: nudge, location, near-fix",
                bug.hints.len()
            ),
        ));
    }
    let inside_bugs = TreePath::parse(&bug.patch)
        .is_ok_and(|path| path.is_within(BUGS_DIR) && path.as_str() != BUGS_DIR);
    if !inside_bugs || !bug.patch.ends_with(".patch") {
        problems.push(Problem::new(
            at("patch"),
            format!(
                "`{}` must be a `.patch` file inside `{BUGS_DIR}/`, like `{BUGS_DIR}/{}.patch`",
                bug.patch, bug.id
            ),
        ));
    }
    if bug.breaks.is_empty() {
        problems.push(Problem::new(
            at("breaks"),
            "list the tests the bug makes fail (full nextest names)",
        ));
    }
    let mut seen = HashSet::new();
    for test in &bug.breaks {
        if !seen.insert(test.as_str()) {
            problems.push(Problem::new(
                at("breaks"),
                format!("`{test}` is listed twice"),
            ));
        }
        let binary = test
            .split_once(' ')
            .filter(|(_, name)| !name.trim().is_empty())
            .and_then(|(binary_id, _)| binary_id.rsplit_once("::"))
            .map(|(_, binary)| binary);
        if !binary.is_some_and(|binary| binaries.contains(&binary)) {
            problems.push(Problem::new(
                at("breaks"),
                format!(
                    "`{test}` must be a full nextest name `CRATE::BINARY TEST` whose binary is a category's ({})",
                    binaries.join(", ")
                ),
            ));
        }
    }
    if bug.scenario.as_deref().is_some_and(|s| s.trim().is_empty()) {
        problems.push(Problem::new(
            at("scenario"),
            "leave it out instead of empty",
        ));
    }
}
