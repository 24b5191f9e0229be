//! The catalog as serde types. Shapes that a single value can get wrong (a bug id, an
//! efficiency budget) are checked while deserialising, so their errors keep the YAML
//! position; rules across values live in `validate`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The catalog format this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// A whole challenge: what is scored, how, what the player may not edit, and the bugs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// Must equal [`FORMAT_VERSION`]; bumped on incompatible changes.
    pub format_version: u32,
    /// What the player does; only debugging exists so far, feature tasks come later.
    #[serde(default)]
    pub kind: ChallengeKind,
    /// Stable identifier (`mediaflow`), recorded in a workspace's state.
    pub id: String,
    /// Human title.
    pub title: String,
    /// The challenge's own version, recorded in a workspace so results stay comparable.
    pub version: String,
    /// The test categories, one test binary each, with their weights.
    pub categories: Vec<Category>,
    /// Every number of the reward function.
    pub reward: RewardSpec,
    /// Globs of workspace files the player must not change (tampering check).
    pub protected: Vec<String>,
    /// A nextest filterset of the tests that need real servers (the real-backend
    /// copies of the conformance suites). On the embedded infrastructure the runner
    /// leaves them out of its runs and of the score; on Docker they run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs_servers: Option<String>,
    /// The bugs, in the order they are applied.
    pub bugs: Vec<Bug>,
}

/// The kind of challenge; the format leaves room for more.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChallengeKind {
    /// Planted bugs, found through failing tests and incident scenarios.
    #[default]
    Debugging,
}

/// A test category: one test binary of the tests crate and its scoring weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// The name players use (`--category chaos`).
    pub name: String,
    /// The nextest binary name (`tests/<binary>.rs`).
    pub binary: String,
    /// Weight in the weighted pass rate; positive.
    pub weight: f64,
}

/// The reward function's numbers (DESIGN.md "Scoring").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RewardSpec {
    /// Reward by weighted pass rate; ascending, the first at 0, lower bounds inclusive.
    pub tiers: Vec<Tier>,
    /// Added per fully passing category.
    pub per_category_bonus: f64,
    /// Added when every chaos test passes.
    pub chaos_bonus: f64,
    /// Added in full when every bonus bug is fixed, in proportion otherwise.
    pub bonus_bugs_max: f64,
    /// The bonus for reaching 100 % in few attempts (or little time).
    pub efficiency: Efficiency,
    /// Taken off when tests that passed before fail now.
    pub regression_penalty: RegressionPenalty,
}

/// One reward tier.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// The lowest weighted pass rate (0..=1, inclusive) earning this tier.
    pub min_pass_rate: f64,
    /// The tier's reward.
    pub reward: f64,
}

/// The efficiency bonus: `max_bonus × max(0, 1 − used / budget)`, only at 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawEfficiency", into = "RawEfficiency")]
pub struct Efficiency {
    /// The bonus with nothing of the budget used.
    pub max_bonus: f64,
    /// What is counted against.
    pub budget: EfficiencyBudget,
}

/// What the efficiency bonus counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EfficiencyBudget {
    /// Scored attempts (the original environment's 200).
    Attempts(u32),
    /// Elapsed hours since the workspace was created.
    Hours(f64),
}

/// The efficiency section as written: exactly one of the two budgets.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEfficiency {
    max_bonus: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    budget_attempts: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    budget_hours: Option<f64>,
}

impl TryFrom<RawEfficiency> for Efficiency {
    type Error = String;

    fn try_from(raw: RawEfficiency) -> Result<Self, Self::Error> {
        let budget = match (raw.budget_attempts, raw.budget_hours) {
            (Some(0), None) => return Err("budget_attempts must be at least 1".to_owned()),
            (Some(attempts), None) => EfficiencyBudget::Attempts(attempts),
            (None, Some(hours)) if hours.is_finite() && hours > 0.0 => {
                EfficiencyBudget::Hours(hours)
            }
            (None, Some(hours)) => {
                return Err(format!(
                    "budget_hours must be a positive number, not {hours}"
                ));
            }
            _ => {
                return Err(
                    "efficiency needs exactly one of budget_attempts or budget_hours".to_owned(),
                );
            }
        };
        Ok(Self {
            max_bonus: raw.max_bonus,
            budget,
        })
    }
}

impl From<Efficiency> for RawEfficiency {
    fn from(efficiency: Efficiency) -> Self {
        let (budget_attempts, budget_hours) = match efficiency.budget {
            EfficiencyBudget::Attempts(attempts) => (Some(attempts), None),
            EfficiencyBudget::Hours(hours) => (None, Some(hours)),
        };
        Self {
            max_bonus: efficiency.max_bonus,
            budget_attempts,
            budget_hours,
        }
    }
}

/// The regression penalty.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegressionPenalty {
    /// The penalty (flat), or its maximum (proportional).
    pub amount: f64,
    /// Flat, or scaled by the share of previously passing tests that regressed.
    pub mode: PenaltyMode,
}

/// How the regression penalty scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyMode {
    /// The full amount on any regression.
    Flat,
    /// `amount × regressed / previously passing`.
    Proportional,
}

/// One planted bug.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bug {
    /// Family letter and number (`G2`).
    pub id: BugId,
    /// Short author-facing title; never shown to players.
    pub title: String,
    /// The family letter (PLATFORM.md "Bugs"); must be the id's prefix.
    pub family: String,
    /// The service (or `shared`) the bug lives in.
    pub service: String,
    /// 1 (easy) to 5 (hard).
    pub difficulty: u8,
    /// Counts toward the bonus-bugs reward.
    #[serde(default)]
    pub bonus: bool,
    /// The patch, relative to the challenge folder, inside `bugs/`.
    pub patch: String,
    /// Full nextest names (`mediaflow-tests::unit billing::x`) of tests it must fail.
    pub breaks: Vec<String>,
    /// The incident scenario it helps explain, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<String>,
    /// Two or three hints: nudge, location, near-fix.
    pub hints: Vec<String>,
}

/// A bug id: one uppercase family letter and a number from 1 without leading zeros.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct BugId(String);

impl BugId {
    /// Checks the shape of `raw`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut chars = raw.chars();
        let family_ok = chars.next().is_some_and(|c| c.is_ascii_uppercase());
        let number = chars.as_str();
        let number_ok = !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit())
            && !number.starts_with('0');
        if family_ok && number_ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(format!(
                "bug id `{raw}` must be a family letter and a number, like `G2` or `L14`"
            ))
        }
    }

    /// The family letter.
    pub fn family(&self) -> &str {
        &self.0[..1]
    }

    /// The id as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for BugId {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<BugId> for String {
    fn from(id: BugId) -> Self {
        id.0
    }
}

impl fmt::Display for BugId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Catalog {
    /// The bug with id `id`.
    pub fn bug(&self, id: &str) -> Option<&Bug> {
        self.bugs.iter().find(|bug| bug.id.as_str() == id)
    }
}
