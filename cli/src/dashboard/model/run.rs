//! Runs: what is asked for, where a run is, live counts, what flipped, and the reward
//! the results get.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::play::attempts::Attempt;
use crate::play::suite::SuiteRun;
use crate::runner::{Status, TestId};

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

impl CategoryProgress {
    /// Nothing finished yet of `expected` tests.
    pub fn expecting(name: String, expected: usize) -> Self {
        Self {
            name,
            done: 0,
            failed: 0,
            expected,
        }
    }
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

impl RunProgress {
    /// `request` starting at `now`, its categories' counts unknown yet.
    pub fn new(request: RunRequest, now: DateTime<Utc>) -> Self {
        let categories = request
            .categories
            .iter()
            .map(|name| CategoryProgress::expecting(name.clone(), 0))
            .collect();
        Self {
            request,
            stage: Stage::Starting,
            categories,
            started_at: now,
            finished: BTreeMap::new(),
        }
    }
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
