//! Scoring an attempt and keeping the history. An attempt is the tree being scored,
//! snapshotted as a commit under `refs/mediaflow/attempts/N`, plus its record in
//! `.mediaflow/attempts/N.json` (written atomically, after the snapshot): categories,
//! the reward and its terms, regressions since the previous attempt with the files
//! changed in between, bugs fixed per family (never which file holds which bug),
//! tampered files, hints used, and which tests passed — what the next attempt is
//! compared with.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::challenge::catalog::Bug;
use crate::runner::score::{self, CategoryTally, Reward, RewardContext};
use crate::runner::{Results, TestId};

use super::error::PlayError;
use super::files::{read_json, write_json};
use super::hints;
use super::infra_choice::TestInfra;
use super::repo::{ChangedFile, WorkspaceRepo};
use super::suite::{self, SuiteEvent, SuiteRun};
use super::tamper::{self, TamperedFile};
use super::workspace::PlayerWorkspace;

/// Attempt records live in `.mediaflow/attempts/N.json`.
pub const ATTEMPTS_DIR: &str = "attempts";

/// Version of the attempt record and of `score --json` (docs/json.md).
pub const SCHEMA_VERSION: u32 = 1;

/// Bugs fixed in one family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyProgress {
    /// The family letter.
    pub family: String,
    /// Bugs of the family whose declared tests all pass.
    pub fixed: usize,
    /// Bugs of the family planted in this workspace.
    pub total: usize,
}

/// One scored attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attempt {
    /// Record format.
    pub schema_version: u32,
    /// 1, 2, … in the order scored.
    pub number: u32,
    /// When it was scored.
    pub recorded_at: DateTime<Utc>,
    /// The scored tree's id (the results cache key).
    pub tree: String,
    /// The snapshot commit under `refs/mediaflow/attempts/<number>`.
    pub commit: String,
    /// Passes per category.
    pub categories: Vec<CategoryTally>,
    /// The reward and its terms.
    pub reward: Reward,
    /// Protected files that differ from the start (the reward is then 0).
    pub tampered: Vec<TamperedFile>,
    /// Tests that passed in the previous attempt and fail now.
    pub regressions: Vec<TestId>,
    /// When there are regressions: the files changed since the previous attempt.
    pub changed_since_previous: Vec<ChangedFile>,
    /// Bugs fixed per family.
    pub bugs_fixed: Vec<FamilyProgress>,
    /// Bonus bugs fixed and planted.
    pub bonus_bugs: (usize, usize),
    /// Hints shown so far.
    pub hints_used: usize,
    /// Whether the code did not compile.
    pub build_failed: bool,
    /// Tests that passed (the next attempt's regression baseline).
    pub passing: Vec<TestId>,
}

impl Attempt {
    /// Bugs fixed and bugs planted, over every family.
    pub fn bugs_fixed_of_planted(&self) -> (usize, usize) {
        self.bugs_fixed.iter().fold((0, 0), |(fixed, planted), f| {
            (fixed + f.fixed, planted + f.total)
        })
    }
}

/// A scored attempt and the run behind it.
#[derive(Debug)]
pub struct Scored {
    /// The record written.
    pub attempt: Attempt,
    /// The results.
    pub suite: SuiteRun,
}

/// Runs (or reuses) every category, scores the tree and records the attempt.
pub fn score(
    workspace: &PlayerWorkspace,
    repo: &WorkspaceRepo,
    now: DateTime<Utc>,
    events: &mut dyn FnMut(SuiteEvent<'_>),
) -> Result<Scored, PlayError> {
    let infra =
        TestInfra::resolve(workspace.root(), None).unwrap_or(TestInfra::Embedded { why: None });
    score_with(
        workspace,
        repo,
        now,
        &suite::RunOptions::cached(infra),
        events,
    )
}

/// [`score`] with run options (a cancel token).
pub fn score_with(
    workspace: &PlayerWorkspace,
    repo: &WorkspaceRepo,
    now: DateTime<Utc>,
    options: &suite::RunOptions,
    events: &mut dyn FnMut(SuiteEvent<'_>),
) -> Result<Scored, PlayError> {
    let suite = suite::run(workspace, repo, workspace.categories(), options, events)?;
    let mut attempt = assess(workspace, repo, &suite, now)?;
    let message = format!(
        "mediaflow attempt {}: pass rate {:.3}, reward {:.3}",
        attempt.number, attempt.reward.weighted_pass_rate, attempt.reward.total
    );
    attempt.commit = repo
        .snapshot(suite.tree, attempt.number, &message)?
        .to_string();
    write_json(&attempt_path(workspace, attempt.number), &attempt)?;
    Ok(Scored { attempt, suite })
}

/// What scoring `suite` would record now, without recording it (`commit` empty): the
/// dashboard's preview of the reward. `suite` should hold every category.
pub fn assess(
    workspace: &PlayerWorkspace,
    repo: &WorkspaceRepo,
    suite: &SuiteRun,
    now: DateTime<Utc>,
) -> Result<Attempt, PlayError> {
    let start = repo.start_commit(workspace.state.start_commit.as_deref())?;
    let start_tree = repo.commit_tree(start)?;
    let catalog = workspace.catalog();
    let tampered = tamper::check(repo, start_tree, suite.tree, &catalog.protected)?;
    let previous = latest(workspace)?;
    let number = previous.as_ref().map_or(1, |p| p.number + 1);

    let results = suite.results();
    let passing: Vec<TestId> = results
        .iter()
        .filter(|r| r.passed())
        .map(|r| r.id.clone())
        .collect();
    let now_passing: BTreeSet<&TestId> = passing.iter().collect();
    let (regressions, previously_passing) = match &previous {
        Some(previous) => (
            previous
                .passing
                .iter()
                .filter(|id| !now_passing.contains(id))
                .cloned()
                .collect::<Vec<_>>(),
            previous.passing.len(),
        ),
        None => (Vec::new(), 0),
    };
    let changed_since_previous = match &previous {
        Some(previous) if !regressions.is_empty() => {
            let old = git2::Oid::from_str(&previous.tree).map_err(PlayError::Git)?;
            repo.changed_files(old, suite.tree)?
        }
        _ => Vec::new(),
    };
    let (bugs_fixed, bonus_bugs) = bugs_fixed(workspace, &results);
    let hints_used = hints::used(workspace)?;
    let tallies = suite.tallies();
    let context = RewardContext {
        bonus_bugs,
        attempts_used: number,
        hours_used: (now - workspace.state.started_at).num_seconds().max(0) as f64 / 3600.0,
        regressed: regressions.len(),
        previously_passing,
        tampered: !tampered.is_empty(),
    };
    let reward = score::reward(&catalog.reward, &tallies, &context);
    Ok(Attempt {
        schema_version: SCHEMA_VERSION,
        number,
        recorded_at: now,
        tree: suite.tree.to_string(),
        commit: String::new(),
        categories: tallies,
        reward,
        tampered,
        regressions,
        changed_since_previous,
        bugs_fixed,
        bonus_bugs,
        hints_used,
        build_failed: !suite.build_errors().is_empty(),
        passing,
    })
}

/// Bugs fixed per family, and bonus bugs fixed/planted.
fn bugs_fixed(
    workspace: &PlayerWorkspace,
    results: &Results,
) -> (Vec<FamilyProgress>, (usize, usize)) {
    bugs_fixed_of(workspace.active_bugs(), results)
}

/// Bugs of `bugs` fixed per family (every test a bug breaks passes in `results`), and
/// bonus bugs fixed/planted. Pure, so fixtures score the way `score` does.
pub fn bugs_fixed_of<'a>(
    bugs: impl IntoIterator<Item = &'a Bug>,
    results: &Results,
) -> (Vec<FamilyProgress>, (usize, usize)) {
    let mut families: BTreeMap<String, FamilyProgress> = BTreeMap::new();
    let mut bonus = (0, 0);
    for bug in bugs {
        let fixed = bug.breaks.iter().all(|test| {
            TestId::parse(test)
                .and_then(|id| results.get(&id).map(|r| r.passed()))
                .unwrap_or(false)
        });
        let family = families
            .entry(bug.family.clone())
            .or_insert_with(|| FamilyProgress {
                family: bug.family.clone(),
                fixed: 0,
                total: 0,
            });
        family.total += 1;
        family.fixed += usize::from(fixed);
        if bug.bonus {
            bonus.1 += 1;
            bonus.0 += usize::from(fixed);
        }
    }
    (families.into_values().collect(), bonus)
}

/// Every recorded attempt, in number order. A damaged record is an error naming it.
pub fn history(workspace: &PlayerWorkspace) -> Result<Vec<Attempt>, PlayError> {
    attempt_numbers(workspace)?
        .into_iter()
        .map(|number| load(workspace, number))
        .collect()
}

/// The most recent attempt, if any: the only record scoring compares with, so scoring
/// reads one file however long the history is.
pub fn latest(workspace: &PlayerWorkspace) -> Result<Option<Attempt>, PlayError> {
    attempt_numbers(workspace)?
        .pop()
        .map(|number| load(workspace, number))
        .transpose()
}

/// The numbers of the recorded attempts, ascending.
fn attempt_numbers(workspace: &PlayerWorkspace) -> Result<Vec<u32>, PlayError> {
    let dir = workspace.state_dir().join(ATTEMPTS_DIR);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(PlayError::io("cannot read", &dir)(error)),
    };
    let mut numbers: Vec<u32> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.strip_suffix(".json")?.parse().ok())
        .collect();
    numbers.sort_unstable();
    Ok(numbers)
}

/// Attempt `number`'s record, checked to be what its name says.
fn load(workspace: &PlayerWorkspace, number: u32) -> Result<Attempt, PlayError> {
    let path = attempt_path(workspace, number);
    let attempt: Attempt = read_json(&path)?.ok_or_else(|| PlayError::CorruptRecord {
        path: path.clone(),
        message: "it vanished while being read".to_owned(),
    })?;
    if attempt.schema_version != SCHEMA_VERSION || attempt.number != number {
        return Err(PlayError::CorruptRecord {
            path,
            message: format!(
                "schema {} attempt {}, expected schema {SCHEMA_VERSION} attempt {number}",
                attempt.schema_version, attempt.number
            ),
        });
    }
    Ok(attempt)
}

fn attempt_path(workspace: &PlayerWorkspace, number: u32) -> PathBuf {
    workspace
        .state_dir()
        .join(ATTEMPTS_DIR)
        .join(format!("{number}.json"))
}
