//! Realistic dashboard states for the screens' snapshot tests and the frame benchmark:
//! the real catalog (categories, weights, reward spec, the tests its bugs break and the
//! scenarios they relate to), the real scenario texts, suites of N tests with F
//! failures of mixed kinds, and attempts scored with the real reward function. Results
//! go in through [`update`] so the states are the ones the real update path makes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

use crate::challenge::catalog::{self, Catalog};
use crate::play::attempts::{Attempt, FamilyProgress, SCHEMA_VERSION};
use crate::play::repo::{Change, ChangedFile};
use crate::play::suite::{CategoryRun, SuiteRun};
use crate::runner::outcome::TESTS_PACKAGE;
use crate::runner::score::{self, RewardContext};
use crate::runner::{FailureKind, Status, TestId, TestResult};

use super::action::{Action, WorkerEvent};
use super::model::{CategoryInfo, Dashboard, DashboardInit, InfraLabel, Scenario};
use super::update::update;

const CATALOG: &str = include_str!("../../../challenges/mediaflow/challenge.yaml");
const SCENARIOS: [(&str, &str); 2] = [
    (
        "02",
        include_str!("../../../scenarios/02-billing-discrepancies.md"),
    ),
    (
        "04",
        include_str!("../../../scenarios/04-security-audit-findings.md"),
    ),
];

/// Tests per category in the 531-test suite, in catalog order; other sizes scale it.
const SHARE: [usize; 7] = [150, 120, 60, 50, 55, 36, 60];

/// The fixed "now" of every fixture: 2026-11-03 16:20 UTC.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 3, 16, 20, 0)
        .single()
        .unwrap_or_default()
}

/// The real catalog.
///
/// # Panics
/// If the catalog in the repository does not parse (its own tests catch that first).
pub fn catalog() -> Catalog {
    catalog::parse(Path::new("challenge.yaml"), CATALOG).expect("the repository's catalog parses")
}

/// What the dashboard starts from: the real catalog and scenarios, started 2h 14m ago,
/// with `attempts` recorded, on embedded infrastructure, in colour.
pub fn init(attempts: Vec<Attempt>) -> DashboardInit {
    let catalog = catalog();
    let mut test_scenarios = BTreeMap::new();
    for bug in &catalog.bugs {
        let Some(key) = &bug.scenario else { continue };
        for test in &bug.breaks {
            if let Some(id) = TestId::parse(test) {
                test_scenarios.insert(id, key.clone());
            }
        }
    }
    let scenarios = SCENARIOS
        .iter()
        .map(|(key, markdown)| Scenario {
            key: (*key).to_owned(),
            title: markdown
                .lines()
                .find_map(|line| line.strip_prefix("# "))
                .unwrap_or(key)
                .to_owned(),
            markdown: (*markdown).to_owned(),
        })
        .collect();
    DashboardInit {
        title: catalog.title.clone(),
        version: catalog.version.clone(),
        started_at: now() - chrono::Duration::minutes(2 * 60 + 14),
        bugs_planted: catalog.bugs.len(),
        categories: catalog
            .categories
            .iter()
            .map(|c| CategoryInfo {
                name: c.name.clone(),
                binary: c.binary.clone(),
                weight: c.weight,
            })
            .collect(),
        reward_spec: catalog.reward.clone(),
        scenarios,
        test_scenarios,
        attempts,
        infra: InfraLabel("embedded".to_owned()),
        no_color: false,
        now: now(),
    }
}

/// Every test of a suite of `tests`, per category in catalog order, and the order in
/// which they fail: the tests the catalog's bugs break first, then the others.
#[derive(Debug, Clone)]
pub struct Universe {
    /// Per category (catalog order): its tests, in name order.
    pub categories: Vec<(String, String, f64, Vec<TestId>)>,
    /// Every test, the first `F` of which fail in [`Universe::suite`]`(F)`.
    pub failure_order: Vec<TestId>,
}

impl Universe {
    /// A universe of `tests` tests.
    pub fn new(tests: usize) -> Self {
        let catalog = catalog();
        let broken: BTreeSet<TestId> = catalog
            .bugs
            .iter()
            .flat_map(|bug| bug.breaks.iter().filter_map(|t| TestId::parse(t)))
            .collect();
        let base: usize = SHARE.iter().sum();
        let mut counts: Vec<usize> = SHARE.iter().map(|s| s * tests / base).collect();
        counts[0] += tests - counts.iter().sum::<usize>();
        let mut categories = Vec::new();
        for (category, count) in catalog.categories.iter().zip(counts) {
            let binary_id = format!("{TESTS_PACKAGE}::{}", category.binary);
            let mut ids: Vec<TestId> = broken
                .iter()
                .filter(|id| id.binary() == category.binary)
                .take(count)
                .cloned()
                .collect();
            let mut n = 0;
            while ids.len() < count {
                ids.push(TestId::new(&binary_id, synthetic_name(n)));
                n += 1;
            }
            ids.sort();
            categories.push((
                category.name.clone(),
                category.binary.clone(),
                category.weight,
                ids,
            ));
        }
        let mut failure_order: Vec<TestId> = categories
            .iter()
            .flat_map(|c| c.3.iter().cloned())
            .collect();
        failure_order.sort_by_key(|id| (!broken.contains(id), hash(&id.name)));
        Self {
            categories,
            failure_order,
        }
    }

    /// The suite in which the tests of `failing` fail and every other test passes.
    pub fn suite_failing(&self, failing: &BTreeSet<&TestId>) -> SuiteRun {
        let categories = self
            .categories
            .iter()
            .map(|(name, binary, weight, ids)| CategoryRun {
                name: name.clone(),
                binary: binary.clone(),
                weight: *weight,
                results: ids
                    .iter()
                    .map(|id| {
                        if failing.contains(id) {
                            failure(id)
                        } else {
                            passed(id)
                        }
                    })
                    .collect(),
                build_errors: Vec::new(),
            })
            .collect();
        SuiteRun {
            tree: git2::Oid::ZERO_SHA1,
            categories,
            from_cache: false,
            elapsed: Duration::from_secs(48),
        }
    }

    /// The suite in which the first `failures` of the failure order fail.
    pub fn suite(&self, failures: usize) -> SuiteRun {
        self.suite_failing(&self.failure_order.iter().take(failures).collect())
    }

    /// The suite of code that does not compile: every test "did not build".
    pub fn build_failure(&self) -> SuiteRun {
        let mut suite = self.suite(0);
        for category in &mut suite.categories {
            for result in &mut category.results {
                result.status = Status::Failed(FailureKind::DidNotBuild);
                result.message = "its test binary did not compile".to_owned();
            }
            category.build_errors = vec![BUILD_ERROR.to_owned()];
        }
        suite
    }
}

const BUILD_ERROR: &str = "error[E0308]: mismatched types
  --> platform/services/billing/src/domain/proration.rs:42:23
   |
42 |     let daily = price / period_days;
   |                 ^^^^^^^^^^^^^^^^^^^ expected `Money`, found `i64`
   |
help: call `Money::mul_ratio` to scale a price by a ratio of days
   |
42 |     let daily = price.mul_ratio(days_remaining, period_days);
   |                 ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~";

/// A dashboard of the real catalog with `attempts` recorded, which has taken in
/// `suite` through the worker's `Finished` report, with the preview it would score.
pub fn dashboard(attempts: Vec<Attempt>, suite: SuiteRun) -> Dashboard {
    let mut state = Dashboard::new(init(attempts));
    finish(&mut state, suite);
    state
}

/// Feeds `suite` to `state` as the end of a run, with its preview attempt.
pub fn finish(state: &mut Dashboard, suite: SuiteRun) {
    let preview = attempt(
        state.next_attempt(),
        &suite,
        state.attempts.last(),
        state.now,
    );
    update(
        state,
        Action::Worker(WorkerEvent::Finished {
            suite: Box::new(suite),
            preview: Some(Box::new(preview)),
        }),
    );
}

/// Attempt `number` of `suite`, scored with the real reward function against
/// `previous`, as recorded at `at`.
pub fn attempt(
    number: u32,
    suite: &SuiteRun,
    previous: Option<&Attempt>,
    at: DateTime<Utc>,
) -> Attempt {
    let catalog = catalog();
    let results = suite.results();
    let passing: Vec<TestId> = results
        .iter()
        .filter(|r| r.passed())
        .map(|r| r.id.clone())
        .collect();
    let regressions: Vec<TestId> = previous
        .map(|p| {
            p.passing
                .iter()
                .filter(|id| !passing.contains(id))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let changed_since_previous = if regressions.is_empty() {
        Vec::new()
    } else {
        [
            "platform/services/billing/src/domain/proration.rs",
            "platform/shared/src/money.rs",
        ]
        .iter()
        .map(|path| ChangedFile {
            path: (*path).to_owned(),
            change: Change::Modified,
        })
        .collect()
    };
    let mut families: BTreeMap<String, FamilyProgress> = BTreeMap::new();
    let mut bonus = (0, 0);
    for bug in &catalog.bugs {
        let fixed = bug.breaks.iter().all(|t| {
            TestId::parse(t)
                .and_then(|id| results.get(&id))
                .is_none_or(|r| r.passed())
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
            bonus = (bonus.0 + usize::from(fixed), bonus.1 + 1);
        }
    }
    let tallies = suite.tallies();
    let context = RewardContext {
        bonus_bugs: bonus,
        attempts_used: number,
        hours_used: 2.2,
        regressed: regressions.len(),
        previously_passing: previous.map_or(0, |p| p.passing.len()),
        tampered: false,
    };
    Attempt {
        schema_version: SCHEMA_VERSION,
        number,
        recorded_at: at,
        tree: suite.tree.to_string(),
        commit: format!("{number:040x}"),
        reward: score::reward(&catalog.reward, &tallies, &context),
        categories: tallies,
        tampered: Vec::new(),
        regressions,
        changed_since_previous,
        bugs_fixed: families.into_values().collect(),
        bonus_bugs: bonus,
        hints_used: 2,
        build_failed: !suite.build_errors().is_empty(),
        passing,
    }
}

/// Attempts recorded on `universe`'s suites with these failure counts, 25 minutes apart.
pub fn history(universe: &Universe, failures: &[usize]) -> Vec<Attempt> {
    let mut attempts: Vec<Attempt> = Vec::new();
    let count = failures.len() as i64;
    for (index, &failing) in failures.iter().enumerate() {
        let at = now() - chrono::Duration::minutes(25 * (count - index as i64));
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let next = attempt(number, &universe.suite(failing), attempts.last(), at);
        attempts.push(next);
    }
    attempts
}

fn passed(id: &TestId) -> TestResult {
    TestResult {
        id: id.clone(),
        status: Status::Passed,
        duration: Some(Duration::from_millis(5 + hash(&id.name) % 400)),
        message: String::new(),
        output: String::new(),
    }
}

/// A failure whose kind and message follow from the test's name: mostly failed
/// assertions with `left`/`right`, some with captured output, timeouts, a leak, a crash.
fn failure(id: &TestId) -> TestResult {
    let h = hash(&id.name);
    let what = id
        .name
        .rsplit("::")
        .next()
        .unwrap_or(&id.name)
        .replace('_', " ");
    let location = format!(
        "tests/{}/{}.rs:{}:9",
        id.binary(),
        id.name.split("::").next().unwrap_or("x"),
        20 + h % 300
    );
    let pid = 23_000 + h % 1000;
    let (kind, message, output) = match h % 10 {
        0..=4 => {
            let (left, right) = SIDES[(h / 10) as usize % SIDES.len()];
            let message = format!("thread '{}' ({pid}) panicked at {location}:\nassertion `left == right` failed: {what}\n  left: {left}\n right: {right}\nnote: run with `RUST_BACKTRACE=1` environment variable to display a backtrace", id.name);
            (FailureKind::Failed, message, String::new())
        }
        5 | 6 => (
            FailureKind::Failed,
            format!("thread '{}' ({pid}) panicked at {location}:\n{what}: the service answered 500 Internal Server Error", id.name),
            "2026-11-03T16:19:58.120Z  INFO gateway: request method=GET path=/api/catalog/search status=500\n2026-11-03T16:19:58.121Z ERROR catalog: query failed error=\"near \\\"OR\\\": syntax error\"\n2026-11-03T16:19:58.121Z  WARN gateway: upstream error service=catalog attempt=1".to_owned(),
        ),
        7 | 8 => (
            FailureKind::Timeout,
            "test timed out after 30s (the runner's slow-timeout limit)".to_owned(),
            "2026-11-03T16:19:30.004Z  INFO billing: renewal run started\n2026-11-03T16:19:30.005Z  INFO shared::locks: waiting for lease billing-renewals".to_owned(),
        ),
        _ if h % 20 == 9 => (FailureKind::Leak, "test passed but leaked handles (a spawned task or child process still running)".to_owned(), String::new()),
        _ => (FailureKind::Error, format!("test aborted with signal 6 (SIGABRT) at {location}"), String::new()),
    };
    let duration = match kind {
        FailureKind::Timeout => Duration::from_secs(30),
        _ => Duration::from_millis(20 + h % 2400),
    };
    TestResult {
        id: id.clone(),
        status: Status::Failed(kind),
        duration: Some(duration),
        message,
        output,
    }
}

/// `left`/`right` pairs of the kind the platform's tests print.
const SIDES: [(&str, &str); 6] = [
    ("Money { cents: 240 }", "Money { cents: 250 }"),
    ("Canceled", "Canceling"),
    ("[\"v-1\", \"v-3\", \"v-2\"]", "[\"v-1\", \"v-2\", \"v-3\"]"),
    (
        "Some(Refund { amount: Money { cents: 1900 }, status: Accepted })",
        "None",
    ),
    ("StatusCode(500)", "StatusCode(200)"),
    (
        "{\"code\":\"internal\",\"message\":\"database error\"}",
        "{\"code\":\"invalid_query\",\"message\":\"search terms are text\"}",
    ),
];

const MODULES: [&str; 8] = [
    "auth",
    "billing",
    "catalog",
    "gateway",
    "money",
    "outbox",
    "registry",
    "resilience",
];
const SUBJECTS: [&str; 8] = [
    "a_retry",
    "an_expired_token",
    "a_duplicate_event",
    "a_stale_version",
    "the_breaker",
    "a_partial_refund",
    "the_renewal_run",
    "a_cursor",
];
const OUTCOMES: [&str; 8] = [
    "is_refused",
    "is_counted_once",
    "keeps_its_order",
    "answers_409",
    "opens_at_the_threshold",
    "stays_within_the_charge",
    "survives_a_restart",
    "never_repeats_a_page",
];

/// The `n`-th made-up test path (`billing::a_retry_is_refused`).
fn synthetic_name(n: usize) -> String {
    let module = MODULES[n % MODULES.len()];
    let subject = SUBJECTS[n / MODULES.len() % SUBJECTS.len()];
    let outcome = OUTCOMES[n / (MODULES.len() * SUBJECTS.len()) % OUTCOMES.len()];
    let round = n / (MODULES.len() * SUBJECTS.len() * OUTCOMES.len());
    match round {
        0 => format!("{module}::{subject}_{outcome}"),
        r => format!("{module}::{subject}_{outcome}_{r}"),
    }
}

/// FNV-1a: a stable spread of names over kinds and durations.
fn hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}
