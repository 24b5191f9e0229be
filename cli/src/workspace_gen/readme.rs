//! The player's `README.md`: the rules, the commands, the categories with their weights
//! and how the reward is computed, all taken from the catalog's numbers. It names no
//! bug, gives no hint and does not say where the bugs are.

use std::fmt::Write;

use crate::challenge::catalog::{Catalog, EfficiencyBudget, PenaltyMode};

/// The README for a workspace of `catalog`'s challenge.
pub fn player_readme(catalog: &Catalog) -> String {
    let mut out = String::new();
    let reward = &catalog.reward;
    let _ = writeln!(out, "# {}\n", catalog.title);
    let _ = writeln!(
        out,
        "Challenge `{}`, version {}.\n\n\
         This is a distributed video-streaming platform in Rust. Bugs have been planted in\n\
         its code under `platform/`. The test suites under `tests/` describe the correct\n\
         behaviour; the incident reports under `scenarios/` describe what users and\n\
         auditors saw. Find the bugs, fix them, make every test pass.\n",
        catalog.id, catalog.version
    );
    out.push_str(
        "## Rules\n\n\
         - Fix the platform, not the tests: these files must stay as they were at the start\n  \
         (a scored attempt that changed them gets reward 0):\n",
    );
    for glob in &catalog.protected {
        let _ = writeln!(out, "  - `{glob}`");
    }
    out.push_str(
        "- Everything under `platform/` is yours to change: fix code, add code, refactor.\n\
         - The first commit, \"challenge start\", is the starting point; use git as you like.\n\n",
    );
    out.push_str(
        "## Commands\n\n\
         ```\n\
         mediaflow test                     # every category: table, then each failure\n\
         mediaflow test --category unit     # one category (repeatable)\n\
         mediaflow score                    # score this code and record the attempt\n\
         mediaflow history                  # one line per attempt\n\
         mediaflow diff [FROM] [TO]         # changes between attempts (start, N, now)\n\
         mediaflow hint TEST                # the next hint for a failing test\n\
         mediaflow restore                  # put protected files back\n\
         cargo nextest run -p mediaflow-tests -E 'test(/billing/)'  # plain nextest works too\n\
         ```\n\n\
         `mediaflow test` and `score` reuse the results of code they already ran. A score\n\
         compares with the previous attempt: a test that passed then and fails now costs the\n\
         regression penalty, and the files changed in between are named.\n\n\
         The platform runs on embedded infrastructure (in-process broker, database, cache,\n\
         object store and registry), so nothing else needs to be installed.\n\n",
    );
    out.push_str(
        "## Categories\n\n\
         Each category is one test binary of the `mediaflow-tests` crate; its weight counts\n\
         in the weighted pass rate.\n\n\
         | category | test binary | weight |\n|---|---|---|\n",
    );
    for category in &catalog.categories {
        let _ = writeln!(
            out,
            "| {} | `tests/tests/{}.rs` | {} |",
            category.name, category.binary, category.weight
        );
    }
    out.push_str(
        "\n## Scoring\n\n\
         Weighted pass rate = Σ weight × passed / Σ weight × total, over the categories.\n\n\
         | weighted pass rate at least | reward |\n|---|---|\n",
    );
    for tier in &reward.tiers {
        let _ = writeln!(
            out,
            "| {}% | {:.2} |",
            percent(tier.min_pass_rate),
            tier.reward
        );
    }
    let _ = writeln!(
        out,
        "\nBonuses: +{:.2} for every fully passing category; +{:.2} when every chaos test\n\
         passes; up to +{:.2} for the harder bugs, in proportion to how many of them are fixed.",
        reward.per_category_bonus, reward.chaos_bonus, reward.bonus_bugs_max
    );
    let budget = match reward.efficiency.budget {
        EfficiencyBudget::Attempts(attempts) => format!("{attempts} scored attempts"),
        EfficiencyBudget::Hours(hours) => format!("{hours} hours"),
    };
    let _ = writeln!(
        out,
        "At 100 %, an efficiency bonus of up to +{:.2}, shrinking to 0 over {budget}.",
        reward.efficiency.max_bonus
    );
    let penalty = match reward.regression_penalty.mode {
        PenaltyMode::Flat => format!(
            "−{:.2} when any test that passed in the previous attempt fails now",
            reward.regression_penalty.amount
        ),
        PenaltyMode::Proportional => format!(
            "up to −{:.2}, in proportion to the previously passing tests that fail now",
            reward.regression_penalty.amount
        ),
    };
    let _ = writeln!(out, "Penalty: {penalty}. The reward never goes below 0.");
    out
}

/// `0.85` as `85`, `0.125` as `12.5`.
fn percent(rate: f64) -> String {
    let value = (rate * 1000.0).round() / 10.0;
    if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value}")
    }
}
