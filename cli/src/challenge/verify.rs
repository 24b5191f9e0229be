//! `challenge verify`: proves the catalog against real test runs.
//!
//! 1. The reference passes every challenge test.
//! 2. Each bug alone applies, compiles and makes **each** of its declared tests fail;
//!    whatever else it breaks is listed as collateral.
//! 3. All bugs together apply and compile; the starting weighted pass rate and reward
//!    tier are reported.
//!
//! Every phase is a variant of one scratch workspace (`<work dir>/workspace`) mirrored
//! file by file, so all phases share one target directory and each rebuild compiles
//! only the crates the bug touches. Each phase runs the whole suite: collateral is
//! only known that way, and running is seconds next to building.

mod mirror;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::runner::score::{self, CategoryTally};
use crate::runner::{
    BuildReport, FailureKind, Nextest, Results, RunError, RunOutcome, Status, TestId, TestResult,
};
use crate::workspace_gen::{GenerateError, LoadedChallenge, Sources, platform_files};

pub use mirror::{MirrorStats, mirror};

/// The folder, inside the repository, verify works in unless told otherwise.
pub const DEFAULT_WORK_DIR: &str = "target/mediaflow-verify";

/// What to verify and where.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Holds the scratch workspace, its target directory and the runner's files.
    pub work_dir: PathBuf,
    /// Verify only this bug (the reference still runs first; "all together" is skipped).
    pub only: Option<String>,
}

/// Why verification could not be carried out (as opposed to finding problems).
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The challenge could not be loaded.
    #[error(transparent)]
    Challenge(#[from] GenerateError),
    /// `--bug` names no bug of the catalog.
    #[error("no bug {0} in the catalog; `mediaflow challenge check` lists the bugs")]
    UnknownBug(String),
    /// The scratch workspace could not be written.
    #[error("cannot write the scratch workspace {}: {source}", path.display())]
    Scratch {
        /// The workspace folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// cargo or nextest could not produce results.
    #[error(transparent)]
    Run(#[from] RunError),
}

/// Build and run time of one phase.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timing {
    /// Compiling the test binaries.
    pub build: Duration,
    /// Running them.
    pub run: Duration,
}

impl Serialize for Timing {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut state = s.serialize_struct("Timing", 2)?;
        state.serialize_field("build_seconds", &round(self.build.as_secs_f64()))?;
        state.serialize_field("run_seconds", &round(self.run.as_secs_f64()))?;
        state.end()
    }
}

/// The reference run.
#[derive(Debug, Clone, Serialize)]
pub struct ReferenceReport {
    /// Tests reported.
    pub tests: usize,
    /// Tests that did not pass (must be none).
    pub failing: Vec<TestResult>,
    /// Compiler errors (must be none).
    pub build_errors: Vec<String>,
    /// Time taken.
    pub timing: Timing,
}

impl ReferenceReport {
    /// The reference compiled, has tests and passes them all.
    pub fn passed(&self) -> bool {
        self.build_errors.is_empty() && self.failing.is_empty() && self.tests > 0
    }
}

/// What became of one declared test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "verdict", content = "kind")]
pub enum Declared {
    /// It fails with the bug, as declared.
    Breaks(FailureKind),
    /// It still passes: the bug is not caught by this test.
    StillPasses,
    /// The reference has no such test.
    NotATest,
}

/// One declared test and its verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeclaredTest {
    /// The full nextest name, as the catalog lists it.
    pub test: String,
    /// What happened to it.
    #[serde(flatten)]
    pub verdict: Declared,
}

/// One bug, planted alone.
#[derive(Debug, Clone, Serialize)]
pub struct BugReport {
    /// The bug's id.
    pub id: String,
    /// The service it lives in.
    pub service: String,
    /// Its declared tests.
    pub declared: Vec<DeclaredTest>,
    /// Tests that pass on the reference and fail with the bug without being declared.
    pub collateral: Vec<TestId>,
    /// Why the bug could not be tested: does not apply, does not compile.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Time taken.
    pub timing: Timing,
}

impl BugReport {
    /// The bug applied, compiled, and every declared test failed.
    pub fn passed(&self) -> bool {
        self.problem.is_none()
            && !self.declared.is_empty()
            && self
                .declared
                .iter()
                .all(|test| matches!(test.verdict, Declared::Breaks(_)))
    }
}

/// All bugs planted together: the player's starting point.
#[derive(Debug, Clone, Serialize)]
pub struct TogetherReport {
    /// How many bugs.
    pub bugs: usize,
    /// Why they could not be tested together.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// Passes per category.
    pub categories: Vec<CategoryTally>,
    /// Tests passing.
    pub passed: usize,
    /// Tests in all.
    pub total: usize,
    /// Σ w·passed / Σ w·total.
    pub weighted_pass_rate: f64,
    /// The reward of the tier that rate reaches.
    pub tier_reward: f64,
    /// Bugs none of whose declared tests fail when all bugs are present (another bug
    /// hides them): worth a look, not an error.
    pub masked: Vec<String>,
    /// Time taken.
    pub timing: Timing,
}

/// Everything verify found.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// The challenge id.
    pub challenge: String,
    /// Its version.
    pub version: String,
    /// The reference run.
    pub reference: ReferenceReport,
    /// One entry per verified bug, in catalog order.
    pub bugs: Vec<BugReport>,
    /// All bugs together (absent with `--bug`, or when the reference did not compile).
    pub together: Option<TogetherReport>,
    /// Wall time of the whole verification.
    #[serde(serialize_with = "seconds")]
    pub elapsed: Duration,
}

impl VerifyReport {
    /// Reference green, every bug caught by each declared test, all together compile.
    pub fn passed(&self) -> bool {
        self.reference.passed()
            && self.bugs.iter().all(BugReport::passed)
            && self
                .together
                .as_ref()
                .is_none_or(|together| together.problem.is_none())
    }
}

/// Progress, reported as it happens.
#[derive(Debug)]
pub enum VerifyEvent<'a> {
    /// A phase (`reference`, a bug id, `together`) started a step (`building`, `running`).
    Step {
        /// The phase.
        phase: &'a str,
        /// The step.
        step: &'static str,
    },
    /// The reference finished.
    Reference(&'a ReferenceReport),
    /// A bug finished.
    Bug(&'a BugReport),
    /// All bugs together finished.
    Together(&'a TogetherReport),
}

/// Verifies the challenge of `sources` (a checkout's working tree).
pub fn verify(
    sources: &Sources,
    options: &VerifyOptions,
    on_event: &mut dyn FnMut(VerifyEvent<'_>),
) -> Result<VerifyReport, VerifyError> {
    let started = Instant::now();
    let challenge = sources.challenge()?;
    let catalog = &challenge.catalog;
    if let Some(id) = &options.only
        && catalog.bug(id).is_none()
    {
        return Err(VerifyError::UnknownBug(id.clone()));
    }
    let mut bench = Bench::new(sources, &challenge, &options.work_dir);

    let reference = bench.reference(on_event)?;
    on_event(VerifyEvent::Reference(&reference.0));
    let (reference, baseline) = reference;
    let Some(baseline) = baseline else {
        return Ok(VerifyReport {
            challenge: catalog.id.clone(),
            version: catalog.version.clone(),
            reference,
            bugs: Vec::new(),
            together: None,
            elapsed: started.elapsed(),
        });
    };

    let mut bugs = Vec::new();
    for (bug, _) in &challenge.patches {
        let id = bug.id.to_string();
        if options.only.as_ref().is_some_and(|only| *only != id) {
            continue;
        }
        let active = [id.clone()];
        let (results, problem, timing) = match bench.phase(&id, &active, on_event)? {
            Phase::Ran(results, timing) => (Some(results), None, timing),
            Phase::Problem(problem, timing) => (None, Some(problem), timing),
        };
        let declared = bug
            .breaks
            .iter()
            .map(|test| DeclaredTest {
                test: test.clone(),
                verdict: declared(test, &baseline, results.as_ref()),
            })
            .collect();
        let collateral = results
            .as_ref()
            .map(|results| collateral(results, &baseline, &bug.breaks))
            .unwrap_or_default();
        let report = BugReport {
            id,
            service: bug.service.clone(),
            declared,
            collateral,
            problem,
            timing,
        };
        on_event(VerifyEvent::Bug(&report));
        bugs.push(report);
    }

    let together = if options.only.is_none() {
        let report = bench.together(on_event)?;
        on_event(VerifyEvent::Together(&report));
        Some(report)
    } else {
        None
    };

    Ok(VerifyReport {
        challenge: catalog.id.clone(),
        version: catalog.version.clone(),
        reference,
        bugs,
        together,
        elapsed: started.elapsed(),
    })
}

/// The verdict on declared test `test` given the bug's run (`None`: it did not run).
fn declared(test: &str, baseline: &Results, results: Option<&Results>) -> Declared {
    let Some(id) = TestId::parse(test) else {
        return Declared::NotATest;
    };
    if baseline.get(&id).is_none() {
        return Declared::NotATest;
    }
    match results
        .and_then(|results| results.get(&id))
        .map(|r| r.status)
    {
        Some(Status::Passed) => Declared::StillPasses,
        Some(Status::Failed(kind)) => Declared::Breaks(kind),
        Some(Status::Skipped) | None => Declared::Breaks(FailureKind::DidNotRun),
    }
}

/// Tests failing in `results` that passed in `baseline` and are not declared.
fn collateral(results: &Results, baseline: &Results, declared: &[String]) -> Vec<TestId> {
    results
        .failures()
        .filter(|failure| baseline.get(&failure.id).is_some_and(TestResult::passed))
        .filter(|failure| {
            !declared
                .iter()
                .any(|test| TestId::parse(test).as_ref() == Some(&failure.id))
        })
        .map(|failure| failure.id.clone())
        .collect()
}

/// A phase's outcome: results, or why there are none.
enum Phase {
    Ran(Results, Timing),
    Problem(String, Timing),
}

/// The scratch workspace and the runner bound to it.
struct Bench<'a> {
    sources: &'a Sources,
    challenge: &'a LoadedChallenge,
    workspace: PathBuf,
    binaries: Vec<String>,
    nextest: Nextest,
}

impl<'a> Bench<'a> {
    fn new(sources: &'a Sources, challenge: &'a LoadedChallenge, work_dir: &Path) -> Self {
        let workspace = work_dir.join("workspace");
        let binaries = challenge
            .catalog
            .categories
            .iter()
            .map(|category| category.binary.clone())
            .collect();
        let nextest = Nextest::new(
            &workspace,
            Some(&work_dir.join("target")),
            &work_dir.join("runner"),
        );
        Self {
            sources,
            challenge,
            workspace,
            binaries,
            nextest,
        }
    }

    /// The reference run, and its results when it compiled.
    fn reference(
        &mut self,
        on_event: &mut dyn FnMut(VerifyEvent<'_>),
    ) -> Result<(ReferenceReport, Option<Results>), VerifyError> {
        let phase = self.phase("reference", &[], on_event)?;
        Ok(match phase {
            Phase::Ran(results, timing) => (
                ReferenceReport {
                    tests: results.len(),
                    failing: results.failures().cloned().collect(),
                    build_errors: Vec::new(),
                    timing,
                },
                Some(results),
            ),
            Phase::Problem(problem, timing) => (
                ReferenceReport {
                    tests: 0,
                    failing: Vec::new(),
                    build_errors: vec![problem],
                    timing,
                },
                None,
            ),
        })
    }

    /// Every bug at once.
    fn together(
        &mut self,
        on_event: &mut dyn FnMut(VerifyEvent<'_>),
    ) -> Result<TogetherReport, VerifyError> {
        let catalog = &self.challenge.catalog;
        let active: Vec<String> = catalog.bugs.iter().map(|bug| bug.id.to_string()).collect();
        let (results, problem, timing) = match self.phase("together", &active, on_event)? {
            Phase::Ran(results, timing) => (results, None, timing),
            Phase::Problem(problem, timing) => (Results::default(), Some(problem), timing),
        };
        let categories = score::tally(catalog, &results);
        let rate = score::weighted_pass_rate(&categories);
        let masked = if problem.is_some() {
            Vec::new()
        } else {
            catalog
                .bugs
                .iter()
                .filter(|bug| {
                    bug.breaks.iter().all(|test| {
                        TestId::parse(test)
                            .and_then(|id| results.get(&id))
                            .is_some_and(TestResult::passed)
                    })
                })
                .map(|bug| bug.id.to_string())
                .collect()
        };
        Ok(TogetherReport {
            bugs: active.len(),
            problem,
            passed: categories.iter().map(|c| c.passed).sum(),
            total: categories.iter().map(|c| c.total).sum(),
            categories,
            weighted_pass_rate: round(rate),
            tier_reward: score::tier(&catalog.reward, rate).map_or(0.0, |tier| tier.reward),
            masked,
            timing,
        })
    }

    /// Mirrors the reference with bugs `active`, builds, runs everything.
    fn phase(
        &mut self,
        name: &str,
        active: &[String],
        on_event: &mut dyn FnMut(VerifyEvent<'_>),
    ) -> Result<Phase, VerifyError> {
        let mut timing = Timing::default();
        let files = match platform_files(self.sources, self.challenge, active) {
            Ok(files) => files,
            Err(error @ GenerateError::Apply(_)) => {
                return Ok(Phase::Problem(format!("does not apply: {error}"), timing));
            }
            Err(error) => return Err(error.into()),
        };
        mirror(&self.workspace, &files).map_err(|source| VerifyError::Scratch {
            path: self.workspace.clone(),
            source,
        })?;
        on_event(VerifyEvent::Step {
            phase: name,
            step: "building",
        });
        let build = self.nextest.build(&self.binaries)?;
        timing.build = build.elapsed;
        if !build.success {
            return Ok(Phase::Problem(compile_problem(&build), timing));
        }
        on_event(VerifyEvent::Step {
            phase: name,
            step: "running",
        });
        match self.nextest.run(&self.binaries, None, &mut |_| {})? {
            RunOutcome::Ran(run) => {
                timing.run = run.elapsed;
                Ok(Phase::Ran(run.results, timing))
            }
            RunOutcome::BuildFailed(build) => Ok(Phase::Problem(compile_problem(&build), timing)),
        }
    }
}

/// "does not compile", then the compiler's first error (the rest usually follow from it).
fn compile_problem(build: &BuildReport) -> String {
    let mut message = String::from("does not compile");
    if let Some(first) = build.errors.first() {
        message.push_str(":\n");
        message.push_str(first.trim_end());
    }
    message
}

/// Three decimals, for reports.
fn round(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

fn seconds<S: serde::Serializer>(value: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round(value.as_secs_f64()))
}
