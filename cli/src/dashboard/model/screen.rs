//! What the dashboard shows besides results: screens and panels, the status line,
//! scenarios, categories, and the data it starts from.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::challenge::catalog::RewardSpec;
use crate::play::attempts::Attempt;
use crate::runner::TestId;

/// The screens, switched with `1`–`3`; help is an overlay on any of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Categories, failures and the selected failure's detail.
    Tests,
    /// The incident write-ups.
    Scenarios,
    /// Tier ladder, bonuses, penalties, history.
    Reward,
}

/// The panel of the tests screen that takes the arrow keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The per-category table.
    Categories,
    /// The list of failures.
    Failures,
    /// The selected failure's detail (scrolls).
    Detail,
}

impl Focus {
    /// The next panel (Tab).
    pub fn next(self) -> Self {
        match self {
            Self::Categories => Self::Failures,
            Self::Failures => Self::Detail,
            Self::Detail => Self::Categories,
        }
    }

    /// The previous panel (Shift-Tab).
    pub fn previous(self) -> Self {
        match self {
            Self::Categories => Self::Detail,
            Self::Failures => Self::Categories,
            Self::Detail => Self::Failures,
        }
    }
}

/// What the player is told in the status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Neutral information.
    Info,
    /// Something got better.
    Good,
    /// Something failed or got worse.
    Bad,
}

/// A one-line message in the status line, until the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Its colour.
    pub tone: Tone,
    /// The text.
    pub text: String,
}

/// What the header names as the infrastructure the tests use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InfraLabel(pub String);
/// One incident write-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// Its key, the file name's number (`02`).
    pub key: String,
    /// Its first heading.
    pub title: String,
    /// The Markdown text.
    pub markdown: String,
}

/// One category as the dashboard knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryInfo {
    /// Its name.
    pub name: String,
    /// Its test binary.
    pub binary: String,
    /// Its weight.
    pub weight: f64,
}

/// Everything the dashboard starts from.
#[derive(Debug, Clone)]
pub struct DashboardInit {
    /// The challenge's title.
    pub title: String,
    /// The challenge's version.
    pub version: String,
    /// When the workspace was created (elapsed time counts from here).
    pub started_at: DateTime<Utc>,
    /// How many bugs were planted.
    pub bugs_planted: usize,
    /// The categories, in catalog order.
    pub categories: Vec<CategoryInfo>,
    /// Tiers, bonuses and penalties.
    pub reward_spec: RewardSpec,
    /// The scenarios, in file order.
    pub scenarios: Vec<Scenario>,
    /// Test → the scenario key it relates to (through the planted bugs that break it).
    pub test_scenarios: BTreeMap<TestId, String>,
    /// Every recorded attempt, oldest first.
    pub attempts: Vec<Attempt>,
    /// Where the tests run.
    pub infra: InfraLabel,
    /// Colours off (`NO_COLOR`).
    pub no_color: bool,
    /// The time now.
    pub now: DateTime<Utc>,
}
