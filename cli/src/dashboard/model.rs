//! The dashboard's state: everything the screens show, owned in one place and changed
//! only by [`super::update`]. Nothing here does IO; the results, attempts and
//! scenarios arrive as data (from the worker, or from fixtures in tests).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::challenge::catalog::RewardSpec;
use crate::play::attempts::Attempt;
use crate::play::hints::Hint;
use crate::play::suite::SuiteRun;
use crate::runner::{FailureKind, Status, TestId, TestResult};

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

/// Why a run was started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunKind {
    /// Every category (or the cached results of this exact code).
    All,
    /// One category.
    Category(String),
    /// Files changed while watching: previously failing tests first.
    Watch(Vec<String>),
    /// Scoring: every category, then the attempt is recorded.
    Score,
}

/// A run the worker should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRequest {
    /// Why.
    pub kind: RunKind,
    /// The categories, by name, in catalog order.
    pub categories: Vec<String>,
    /// Tests to run first, in a phase of their own (watch: what failed before).
    pub first: Vec<TestId>,
    /// Run even when this exact code's results are cached.
    pub fresh: bool,
}

/// Where a run is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// Waiting for the worker to start.
    Starting,
    /// Listing the tests (compiles the test binaries).
    Listing,
    /// Compiling; the latest line of cargo's output.
    Building(String),
    /// Running the tests.
    Testing,
}

/// One category's live count during a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryProgress {
    /// The category.
    pub name: String,
    /// Tests finished so far.
    pub done: usize,
    /// Of which failed.
    pub failed: usize,
    /// Tests expected (0 when not yet known).
    pub expected: usize,
}

/// A run in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct RunProgress {
    /// What was asked.
    pub request: RunRequest,
    /// Where it is.
    pub stage: Stage,
    /// Per category being run.
    pub categories: Vec<CategoryProgress>,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// Tests that finished in this run, and whether they passed.
    pub finished: BTreeMap<TestId, bool>,
}

/// Tests whose outcome changed between two runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flips {
    /// Failed before, pass now.
    pub fixed: Vec<TestId>,
    /// Passed before, fail now.
    pub broke: Vec<TestId>,
}

impl Flips {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.fixed.is_empty() && self.broke.is_empty()
    }
}

/// The reward of the current results, or of the last recorded attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// The attempt (for a preview: what `score` would record now, not yet recorded).
    pub attempt: Attempt,
    /// Whether it is recorded (scored), or only previewed from the latest results.
    pub recorded: bool,
}

/// One failing test, as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailureRow {
    /// Index into the categories.
    pub category: usize,
    /// The result.
    pub result: TestResult,
}

impl FailureRow {
    /// How it failed.
    pub fn kind(&self) -> FailureKind {
        match self.result.status {
            Status::Failed(kind) => kind,
            _ => FailureKind::Failed,
        }
    }
}

/// The failures list: its rows, what is shown of them and what is selected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailureList {
    /// Every failure, grouped by category in catalog order, then by name.
    pub rows: Vec<FailureRow>,
    /// Indices into `rows` that pass the filter and the search.
    pub visible: Vec<usize>,
    /// Position in `visible`.
    pub selected: usize,
    /// Only this category (index), if set.
    pub category_filter: Option<usize>,
    /// Text the test names must contain (case-insensitive), if any.
    pub search: String,
    /// Whether keys are typed into the search.
    pub searching: bool,
}

impl FailureList {
    /// The selected row, if any is visible.
    pub fn selected_row(&self) -> Option<&FailureRow> {
        self.visible
            .get(self.selected)
            .and_then(|&index| self.rows.get(index))
    }

    /// New rows (a run ended), keeping the selection on the same test when it is still
    /// shown.
    pub fn replace_rows(&mut self, rows: Vec<FailureRow>) {
        let keep = self.selected_row().map(|row| row.result.id.clone());
        self.rows = rows;
        self.show(keep);
    }

    /// Recomputes `visible` after the filter or the search changed, keeping the
    /// selection on the same test when it is still shown.
    pub fn refresh(&mut self) {
        let keep = self.selected_row().map(|row| row.result.id.clone());
        self.show(keep);
    }

    fn show(&mut self, keep: Option<TestId>) {
        let needle = self.search.to_lowercase();
        self.visible = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| self.category_filter.is_none_or(|c| c == row.category))
            .filter(|(_, row)| {
                needle.is_empty() || row.result.id.name.to_lowercase().contains(&needle)
            })
            .map(|(index, _)| index)
            .collect();
        self.selected = keep
            .and_then(|id| {
                self.visible
                    .iter()
                    .position(|&index| self.rows[index].result.id == id)
            })
            .unwrap_or(0)
            .min(self.visible.len().saturating_sub(1));
    }
}

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
    pub(super) fn set_results(&mut self, suite: SuiteRun) {
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

/// Tests that changed outcome from `before` to `after` (only tests present in both).
pub fn flips(before: &SuiteRun, after: &SuiteRun) -> Flips {
    let outcome = |run: &SuiteRun| -> BTreeMap<TestId, bool> {
        run.categories
            .iter()
            .flat_map(|c| c.results.iter())
            .filter(|r| r.status != Status::Skipped)
            .map(|r| (r.id.clone(), r.passed()))
            .collect()
    };
    let old = outcome(before);
    let new = outcome(after);
    let mut flips = Flips::default();
    let common: BTreeSet<&TestId> = old.keys().filter(|id| new.contains_key(*id)).collect();
    for id in common {
        match (old[id], new[id]) {
            (false, true) => flips.fixed.push(id.clone()),
            (true, false) => flips.broke.push(id.clone()),
            _ => {}
        }
    }
    flips
}
