//! The whole dashboard's state and what the screens ask of it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::challenge::catalog::RewardSpec;
use crate::play::attempts::Attempt;
use crate::play::hints::Hint;
use crate::play::suite::SuiteRun;
use crate::runner::TestId;

use super::failures::{FailureList, FailureRow};
use super::run::{Assessment, CategoryProgress, Flips, RunProgress, RunRequest, flips};
use super::screen::{CategoryInfo, DashboardInit, Focus, InfraLabel, Notice, Scenario, Screen};

/// The whole dashboard.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// The challenge's title.
    pub title: String,
    /// Its version.
    pub version: String,
    /// When the workspace was created.
    pub started_at: DateTime<Utc>,
    /// Bugs planted.
    pub bugs_planted: usize,
    /// The time now (moved by ticks).
    pub now: DateTime<Utc>,
    /// Where the tests run.
    pub infra: InfraLabel,
    /// Colours off.
    pub no_color: bool,
    /// The categories.
    pub categories: Vec<CategoryInfo>,
    /// Tiers, bonuses, penalties.
    pub reward_spec: RewardSpec,
    /// The scenarios.
    pub scenarios: Vec<Scenario>,
    /// Test → scenario key.
    pub test_scenarios: BTreeMap<TestId, String>,
    /// The latest results per category (None until the first run or cache answers).
    pub suite: Option<SuiteRun>,
    /// Categories whose results are from older code than the latest run's.
    pub stale: BTreeSet<String>,
    /// Every recorded attempt, oldest first.
    pub attempts: Vec<Attempt>,
    /// The reward of the latest results (preview) or the latest attempt.
    pub assessment: Option<Assessment>,
    /// What changed in the latest run, compared with the results before it.
    pub flips: Flips,
    /// The failures.
    pub failures: FailureList,
    /// Which screen is shown.
    pub screen: Screen,
    /// Which panel of the tests screen has the keys.
    pub focus: Focus,
    /// Whether the help overlay is shown.
    pub help: bool,
    /// The selected category in the categories panel.
    pub category_cursor: usize,
    /// Lines scrolled in the detail panel.
    pub detail_scroll: u16,
    /// The scenario shown.
    pub scenario_index: usize,
    /// Lines scrolled in the scenario.
    pub scenario_scroll: u16,
    /// Lines scrolled on the reward screen.
    pub reward_scroll: u16,
    /// The run in progress.
    pub run: Option<RunProgress>,
    /// A run asked for while another was going; started when it ends.
    pub pending: Option<RunRequest>,
    /// Watch mode: re-run when files under `platform/` are saved.
    pub watching: bool,
    /// Hints shown, per test.
    pub hints: BTreeMap<TestId, Vec<Hint>>,
    /// The status line.
    pub notice: Option<Notice>,
    /// Set when the player asked to quit.
    pub quitting: bool,
}

impl Dashboard {
    /// A dashboard with no results yet.
    pub fn new(init: DashboardInit) -> Self {
        let assessment = init.attempts.last().map(|attempt| Assessment {
            attempt: attempt.clone(),
            recorded: true,
        });
        Self {
            title: init.title,
            version: init.version,
            started_at: init.started_at,
            bugs_planted: init.bugs_planted,
            now: init.now,
            infra: init.infra,
            no_color: init.no_color,
            categories: init.categories,
            reward_spec: init.reward_spec,
            scenarios: init.scenarios,
            test_scenarios: init.test_scenarios,
            suite: None,
            stale: BTreeSet::new(),
            attempts: init.attempts,
            assessment,
            flips: Flips::default(),
            failures: FailureList::default(),
            screen: Screen::Tests,
            focus: Focus::Failures,
            help: false,
            category_cursor: 0,
            detail_scroll: 0,
            scenario_index: 0,
            scenario_scroll: 0,
            reward_scroll: 0,
            run: None,
            pending: None,
            watching: false,
            hints: BTreeMap::new(),
            notice: None,
            quitting: false,
        }
    }

    /// Passed and total tests of category `index` in the latest results.
    pub fn tally(&self, index: usize) -> Option<(usize, usize)> {
        let name = &self.categories.get(index)?.name;
        let run = self.suite.as_ref()?;
        run.categories
            .iter()
            .find(|c| &c.name == name)
            .map(|c| (c.passed(), c.total()))
    }

    /// The live progress of category `index`, when it is part of the run going on.
    pub fn progress(&self, index: usize) -> Option<&CategoryProgress> {
        let name = &self.categories.get(index)?.name;
        self.run
            .as_ref()?
            .categories
            .iter()
            .find(|p| &p.name == name)
    }

    /// The attempt number the next score records.
    pub fn next_attempt(&self) -> u32 {
        self.attempts.last().map_or(1, |a| a.number + 1)
    }

    /// The compiler's messages when the latest code did not build.
    pub fn build_errors(&self) -> &[String] {
        self.suite.as_ref().map_or(&[], SuiteRun::build_errors)
    }

    /// The scenario a test relates to, if any.
    pub fn scenario_of(&self, test: &TestId) -> Option<&Scenario> {
        let key = self.test_scenarios.get(test)?;
        self.scenarios.iter().find(|s| &s.key == key)
    }

    /// Whether a test that failed in the latest results has passed during the run
    /// going on (`Some(true)`), failed again (`Some(false)`), or not run yet.
    pub fn live_outcome(&self, test: &TestId) -> Option<bool> {
        self.run.as_ref()?.finished.get(test).copied()
    }

    /// Rewards across recorded attempts, oldest first.
    pub fn reward_history(&self) -> Vec<f64> {
        self.attempts.iter().map(|a| a.reward.total).collect()
    }

    /// Takes in a run's results: categories it ran replace their earlier results (the
    /// others stay, marked stale when the code has changed since), the failure rows are
    /// rebuilt and the flips against the earlier results computed.
    pub(in crate::dashboard) fn set_results(&mut self, suite: SuiteRun) {
        let merged = match self.suite.take() {
            Some(mut previous) => {
                let changed = previous.tree != suite.tree;
                for category in &suite.categories {
                    self.stale.remove(&category.name);
                }
                for category in &previous.categories {
                    let rerun = suite.categories.iter().any(|c| c.name == category.name);
                    if changed && !rerun {
                        self.stale.insert(category.name.clone());
                    }
                }
                self.flips = flips(&previous, &suite);
                for category in suite.categories {
                    match previous
                        .categories
                        .iter_mut()
                        .find(|c| c.name == category.name)
                    {
                        Some(slot) => *slot = category,
                        None => previous.categories.push(category),
                    }
                }
                let order = |name: &str| self.categories.iter().position(|c| c.name == name);
                previous.categories.sort_by_key(|c| order(&c.name));
                previous.tree = suite.tree;
                previous.from_cache = suite.from_cache;
                previous.elapsed = suite.elapsed;
                previous
            }
            None => {
                self.flips = Flips::default();
                suite
            }
        };
        let mut rows = Vec::new();
        for category in &merged.categories {
            let Some(index) = self.categories.iter().position(|c| c.name == category.name) else {
                continue;
            };
            rows.extend(category.failures().map(|result| FailureRow {
                category: index,
                result: result.clone(),
            }));
        }
        rows.sort_by(|a, b| (a.category, &a.result.id.name).cmp(&(b.category, &b.result.id.name)));
        self.failures.replace_rows(rows);
        self.suite = Some(merged);
    }
}
