//! Running a workspace's categories: the test universe (`cargo nextest list`, parsed with
//! nextest-metadata, cached per content of `tests/`), one nextest run of the categories
//! not yet known for this exact tree, under the runner's own profile, and the results
//! cached by the tree's id so asking again about unchanged code costs nothing.
//!
//! A run can put some tests first (watch mode: what failed before): they run in a
//! nextest run of their own, then the rest of their categories; the two reports make one
//! result, cached like any other.
//!
//! A test of the universe that no report mentions failed as "did not run"; when the
//! build fails, every test of the categories asked for failed as "did not build" and the
//! compiler's messages are kept — never a test silently missing.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use git2::Oid;
use serde::{Deserialize, Serialize};

use crate::challenge::catalog::Category;
use crate::runner::outcome::{TESTS_PACKAGE, binary_name};
use crate::runner::score::{self, CategoryTally};
use crate::runner::{
    BuildReport, CancelToken, FailureKind, ListedTest, Nextest, NextestEvent, Results, RunOutcome,
    Status, TestId, TestResult,
};

use super::error::PlayError;
use super::files::{read_json, write_json};
use super::infra_choice::TestInfra;
use super::repo::WorkspaceRepo;
use super::workspace::PlayerWorkspace;

/// Cached results live in `.mediaflow/results/<tree id>.json`.
const RESULTS_DIR: &str = "results";

/// How many trees' results are kept (oldest removed first).
const RESULTS_KEPT: usize = 40;

/// The test universe, `.mediaflow/universe.json`.
const UNIVERSE_FILE: &str = "universe.json";

/// The runner's scratch files (profile, JUnit report), `.mediaflow/runner/`.
const RUNNER_DIR: &str = "runner";

/// Format of the cached files; a different one is recomputed, never misread.
const CACHE_SCHEMA: u32 = 2;

/// One category's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryRun {
    /// The category's name.
    pub name: String,
    /// Its test binary.
    pub binary: String,
    /// Its weight.
    pub weight: f64,
    /// Every test, in name order (ignored tests as skipped).
    pub results: Vec<TestResult>,
    /// The compiler's messages when its binary did not build.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub build_errors: Vec<String>,
}

impl CategoryRun {
    /// Tests that passed.
    pub fn passed(&self) -> usize {
        self.results.iter().filter(|r| r.passed()).count()
    }

    /// Tests counted (skipped excluded).
    pub fn total(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.status != Status::Skipped)
            .count()
    }

    /// Tests that did not pass.
    pub fn failures(&self) -> impl Iterator<Item = &TestResult> {
        self.results
            .iter()
            .filter(|r| matches!(r.status, Status::Failed(_)))
    }
}

/// What a run of some categories found.
#[derive(Debug, Clone)]
pub struct SuiteRun {
    /// The tree the results belong to.
    pub tree: Oid,
    /// The categories asked for, in catalog order.
    pub categories: Vec<CategoryRun>,
    /// Whether every category came from the cache (nothing was built or run).
    pub from_cache: bool,
    /// Wall time.
    pub elapsed: Duration,
}

impl SuiteRun {
    /// Passes per category.
    pub fn tallies(&self) -> Vec<CategoryTally> {
        self.categories
            .iter()
            .map(|c| CategoryTally {
                name: c.name.clone(),
                weight: c.weight,
                passed: c.passed(),
                total: c.total(),
            })
            .collect()
    }

    /// Σ w·passed / Σ w·total over the categories run.
    pub fn weighted_pass_rate(&self) -> f64 {
        score::weighted_pass_rate(&self.tallies())
    }

    /// Every result, by name.
    pub fn results(&self) -> Results {
        Results::from_results(
            self.categories
                .iter()
                .flat_map(|c| c.results.iter().cloned()),
        )
    }

    /// The compiler's messages, if anything did not build (the same for every category
    /// of one build, so listed once).
    pub fn build_errors(&self) -> &[String] {
        self.categories
            .iter()
            .find(|c| !c.build_errors.is_empty())
            .map_or(&[], |c| c.build_errors.as_slice())
    }

    /// Whether every test passed.
    pub fn all_passed(&self) -> bool {
        self.categories.iter().all(|c| c.passed() == c.total())
    }
}

/// Progress while a suite runs.
#[derive(Debug)]
pub enum SuiteEvent<'a> {
    /// Categories answered from the cache.
    Cached(&'a [String]),
    /// Listing the test universe (builds the test binaries).
    Listing,
    /// Building (if needed) and running these categories, with this many tests each
    /// (ignored ones excluded).
    Running(&'a [(String, usize)]),
    /// A line of cargo's or nextest's stderr (build progress).
    Output(&'a str),
    /// A test finished.
    TestFinished {
        /// The test.
        id: TestId,
        /// Whether it passed.
        passed: bool,
    },
}

#[derive(Debug, Serialize, Deserialize)]
struct CachedResults {
    schema_version: u32,
    tree: String,
    categories: BTreeMap<String, CategoryRun>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Universe {
    schema_version: u32,
    /// The id of the `tests/` tree it was listed from.
    tests_tree: String,
    /// The filterset it was listed within (none: every test).
    #[serde(default)]
    scope: Option<String>,
    tests: Vec<ListedTest>,
}

/// Whether cached results may answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    /// Results cached for this exact tree are used.
    Cached,
    /// Every category asked for runs again.
    Fresh,
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The infrastructure the tests use (results are cached per infrastructure).
    pub infra: TestInfra,
    /// Whether cached results may answer.
    pub reuse: Reuse,
    /// Tests to run first, in a run of their own, before the rest of their categories.
    pub first: Vec<TestId>,
    /// Stops the build or run when cancelled.
    pub cancel: Option<CancelToken>,
}

impl RunOptions {
    /// Cached results answer when they can; every test in one run.
    pub fn cached(infra: TestInfra) -> Self {
        Self {
            infra,
            reuse: Reuse::Cached,
            first: Vec::new(),
            cancel: None,
        }
    }

    /// Everything runs again.
    pub fn fresh(infra: TestInfra) -> Self {
        Self {
            reuse: Reuse::Fresh,
            ..Self::cached(infra)
        }
    }
}

/// Runs `categories` of the workspace as its files are now.
pub fn run(
    workspace: &PlayerWorkspace,
    repo: &WorkspaceRepo,
    categories: &[Category],
    options: &RunOptions,
    events: &mut dyn FnMut(SuiteEvent<'_>),
) -> Result<SuiteRun, PlayError> {
    let reuse = options.reuse;
    let started = Instant::now();
    let tree = repo.worktree_tree()?;
    let results_path = results_path(workspace, tree, &options.infra);
    let mut cached = read_json::<CachedResults>(&results_path)
        .ok()
        .flatten()
        .filter(|c| c.schema_version == CACHE_SCHEMA && c.tree == tree.to_string())
        .unwrap_or_else(|| CachedResults {
            schema_version: CACHE_SCHEMA,
            tree: tree.to_string(),
            categories: BTreeMap::new(),
        });
    let (known, missing): (Vec<&Category>, Vec<&Category>) = categories
        .iter()
        .partition(|c| reuse == Reuse::Cached && cached.categories.contains_key(&c.name));
    if !known.is_empty() {
        let names: Vec<String> = known.iter().map(|c| c.name.clone()).collect();
        events(SuiteEvent::Cached(&names));
    }
    if !missing.is_empty() {
        let fresh = run_categories(workspace, repo, tree, &missing, options, events)?;
        cached.categories.extend(fresh);
        write_json(&results_path, &cached)?;
        prune_results(workspace);
    }
    let runs = categories
        .iter()
        .filter_map(|c| cached.categories.get(&c.name).cloned())
        .collect();
    Ok(SuiteRun {
        tree,
        categories: runs,
        from_cache: missing.is_empty(),
        elapsed: started.elapsed(),
    })
}

/// Builds and runs `categories` (none cached): one nextest run, or two when some
/// tests go first.
fn run_categories(
    workspace: &PlayerWorkspace,
    repo: &WorkspaceRepo,
    tree: Oid,
    categories: &[&Category],
    options: &RunOptions,
    events: &mut dyn FnMut(SuiteEvent<'_>),
) -> Result<BTreeMap<String, CategoryRun>, PlayError> {
    let mut nextest = Nextest::new(
        workspace.root(),
        None,
        &workspace.state_dir().join(RUNNER_DIR),
    );
    if let Some(token) = &options.cancel {
        nextest = nextest.with_cancel(token.clone());
    }
    nextest = nextest
        .with_env(options.infra.environment())
        .with_scope(options.infra.scope(workspace.catalog()));
    let (universe, listing_failed) = universe(workspace, repo, tree, &nextest, events)?;
    let outcome = match listing_failed {
        Some(build) => RunOutcome::BuildFailed(build),
        None => {
            let expected: Vec<(String, usize)> = categories
                .iter()
                .map(|c| {
                    let count = universe
                        .iter()
                        .flatten()
                        .filter(|t| !t.ignored && binary_name(&t.binary_id) == c.binary)
                        .count();
                    (c.name.clone(), count)
                })
                .collect();
            events(SuiteEvent::Running(&expected));
            let binaries: Vec<String> = categories.iter().map(|c| c.binary.clone()).collect();
            run_phases(&nextest, &binaries, &options.first, events)?
        }
    };
    let mut runs = BTreeMap::new();
    for category in categories {
        let listed: Vec<&ListedTest> = universe
            .iter()
            .flatten()
            .filter(|t| binary_name(&t.binary_id) == category.binary)
            .collect();
        let (results, build_errors) = match &outcome {
            RunOutcome::Ran(report) => {
                (ran(&report.results, &category.binary, &listed), Vec::new())
            }
            RunOutcome::BuildFailed(build) => (
                did_not_build(&category.binary, &listed),
                build.errors.clone(),
            ),
        };
        runs.insert(
            category.name.clone(),
            CategoryRun {
                name: category.name.clone(),
                binary: category.binary.clone(),
                weight: category.weight,
                results,
                build_errors,
            },
        );
    }
    Ok(runs)
}

/// Runs `first` (those of `binaries`) in a run of their own, then the rest; one run
/// when nothing goes first. The reports are merged.
fn run_phases(
    nextest: &Nextest,
    binaries: &[String],
    first: &[TestId],
    events: &mut dyn FnMut(SuiteEvent<'_>),
) -> Result<RunOutcome, PlayError> {
    let mut forward = |event: NextestEvent<'_>| match event {
        NextestEvent::Output(line) => events(SuiteEvent::Output(line)),
        NextestEvent::TestFinished { id, passed } => {
            events(SuiteEvent::TestFinished { id, passed });
        }
    };
    let first: Vec<&TestId> = first
        .iter()
        .filter(|id| binaries.iter().any(|b| b == id.binary()))
        .collect();
    let Some(selection) = filterset(&first) else {
        return Ok(nextest.run(binaries, None, &mut forward)?);
    };
    let early = match nextest.run(binaries, Some(&selection), &mut forward)? {
        RunOutcome::Ran(report) => report,
        failed @ RunOutcome::BuildFailed(_) => return Ok(failed),
    };
    let rest = format!("not ({selection})");
    Ok(match nextest.run(binaries, Some(&rest), &mut forward)? {
        RunOutcome::Ran(mut report) => {
            report.results = Results::from_results(
                early
                    .results
                    .iter()
                    .cloned()
                    .chain(report.results.iter().cloned()),
            );
            report.elapsed += early.elapsed;
            RunOutcome::Ran(report)
        }
        failed @ RunOutcome::BuildFailed(_) => failed,
    })
}

/// A nextest filterset selecting exactly `tests`; `None` for no tests.
pub fn filterset(tests: &[&TestId]) -> Option<String> {
    let mut by_binary: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for id in tests {
        by_binary
            .entry(id.binary_id.as_str())
            .or_default()
            .push(id.name.as_str());
    }
    let parts: Vec<String> = by_binary
        .into_iter()
        .map(|(binary_id, names)| {
            let names: Vec<String> = names.iter().map(|n| format!("test(={n})")).collect();
            format!("(binary_id({binary_id}) & ({}))", names.join(" | "))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" | "))
}

/// The reported results of `binary`, plus every listed test no report mentions.
fn ran(results: &Results, binary: &str, listed: &[&ListedTest]) -> Vec<TestResult> {
    let mut by_id: BTreeMap<TestId, TestResult> = results
        .in_binary(binary)
        .map(|r| (r.id.clone(), r.clone()))
        .collect();
    for test in listed {
        let id = TestId::new(&test.binary_id, &test.name);
        by_id.entry(id.clone()).or_insert_with(|| TestResult {
            id,
            status: if test.ignored {
                Status::Skipped
            } else {
                Status::Failed(FailureKind::DidNotRun)
            },
            duration: None,
            message: "the run ended without reporting this test".to_owned(),
            output: String::new(),
        });
    }
    by_id.into_values().collect()
}

/// Every listed test of `binary` as "did not build" (one stand-in when none is known).
fn did_not_build(binary: &str, listed: &[&ListedTest]) -> Vec<TestResult> {
    let failed = |id: TestId| TestResult {
        id,
        status: Status::Failed(FailureKind::DidNotBuild),
        duration: None,
        message: "its test binary did not compile".to_owned(),
        output: String::new(),
    };
    if listed.is_empty() {
        let binary_id = format!("{TESTS_PACKAGE}::{binary}");
        return vec![failed(TestId::new(binary_id, "(every test of the binary)"))];
    }
    listed
        .iter()
        .filter(|t| !t.ignored)
        .map(|t| failed(TestId::new(&t.binary_id, &t.name)))
        .collect()
}

/// The universe of every category's binary: cached while `tests/` is unchanged, else
/// listed (which builds). On a build failure: the last universe known (if any) and the
/// failed build, so the run is not attempted twice.
fn universe(
    workspace: &PlayerWorkspace,
    repo: &WorkspaceRepo,
    tree: Oid,
    nextest: &Nextest,
    events: &mut dyn FnMut(SuiteEvent<'_>),
) -> Result<(Option<Vec<ListedTest>>, Option<BuildReport>), PlayError> {
    let path = workspace.state_dir().join(UNIVERSE_FILE);
    let key = repo
        .subtree(tree, "tests")?
        .map(|oid| oid.to_string())
        .unwrap_or_default();
    let stored = read_json::<Universe>(&path)
        .ok()
        .flatten()
        .filter(|u| u.schema_version == CACHE_SCHEMA);
    if let Some(stored) = &stored
        && stored.tests_tree == key
        && stored.scope.as_deref() == nextest.scope()
    {
        return Ok((Some(stored.tests.clone()), None));
    }
    events(SuiteEvent::Listing);
    let binaries: Vec<String> = workspace
        .categories()
        .iter()
        .map(|c| c.binary.clone())
        .collect();
    match nextest.list(&binaries)? {
        Ok(tests) => {
            write_json(
                &path,
                &Universe {
                    schema_version: CACHE_SCHEMA,
                    tests_tree: key,
                    scope: nextest.scope().map(str::to_owned),
                    tests: tests.clone(),
                },
            )?;
            Ok((Some(tests), None))
        }
        Err(build) => Ok((stored.map(|u| u.tests), Some(build))),
    }
}

fn results_path(workspace: &PlayerWorkspace, tree: Oid, infra: &TestInfra) -> PathBuf {
    workspace
        .state_dir()
        .join(RESULTS_DIR)
        .join(format!("{tree}.{}.json", infra.name()))
}

/// Keeps the newest [`RESULTS_KEPT`] cached results; best effort.
fn prune_results(workspace: &PlayerWorkspace) {
    let dir = workspace.state_dir().join(RESULTS_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if files.len() <= RESULTS_KEPT {
        return;
    }
    files.sort();
    for (_, path) in &files[..files.len() - RESULTS_KEPT] {
        let _ = std::fs::remove_file(path);
    }
}
