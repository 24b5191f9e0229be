//! `challenge verify` end to end on a miniature challenge: a one-crate platform, a tests
//! package with two category binaries and hand-planted bugs, built and run with the real
//! cargo and cargo-nextest in a scratch folder. (`.ci/run` verifies the real catalog.)

use std::collections::BTreeMap;
use std::path::Path;

use mediaflow::challenge::diff::tree_patch;
use mediaflow::challenge::verify::{
    Declared, VerifyEvent, VerifyOptions, VerifyReport, mirror, verify,
};
use mediaflow::challenge::{Tree, TreePath};
use mediaflow::runner::FailureKind;
use mediaflow::workspace_gen::Sources;

const CALC: &str = "platform/calc/src/lib.rs";

const CALC_LIB: &str = "pub fn add(a: i64, b: i64) -> i64 {
    a + b
}

pub fn clamp_percent(value: i64) -> i64 {
    value.clamp(0, 100)
}

pub fn double(value: i64) -> i64 {
    value * 2
}
";

const UNIT: &str = "#[test]
fn two_and_two_make_four() {
    assert_eq!(calc::add(2, 2), 4);
}

#[test]
fn percentages_stay_within_bounds() {
    assert_eq!(calc::clamp_percent(150), 100);
}

#[test]
fn doubling_doubles() {
    assert_eq!(calc::double(21), 42);
}
";

const CHAOS: &str = "#[test]
fn negative_numbers_add_up() {
    assert_eq!(calc::add(-2, -3), -5);
}
";

/// A bug: id, the buggy version of the calc library, declared tests.
struct Planted {
    id: &'static str,
    buggy: String,
    breaks: &'static [&'static str],
}

/// A miniature repository: workspace manifest and lock, the calc crate, the tests
/// package, and a catalog with `bugs` planted in the calc crate.
fn sources(bugs: &[Planted]) -> Sources {
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let mut put = |path: &str, text: &str| files.insert(path.to_owned(), text.to_owned());
    put(
        "Cargo.toml",
        "[workspace]\nresolver = \"3\"\nmembers = [\"platform/calc\", \"tests\"]\n\n\
         [workspace.package]\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [workspace.dependencies]\ncalc = { path = \"platform/calc\" }\n",
    );
    put(
        "Cargo.lock",
        "version = 4\n\n[[package]]\nname = \"calc\"\nversion = \"0.1.0\"\n\n\
         [[package]]\nname = \"mediaflow-tests\"\nversion = \"0.1.0\"\n\
         dependencies = [\n \"calc\",\n]\n",
    );
    put(
        "platform/calc/Cargo.toml",
        "[package]\nname = \"calc\"\nversion.workspace = true\nedition.workspace = true\n",
    );
    put(CALC, CALC_LIB);
    put(
        "tests/Cargo.toml",
        "[package]\nname = \"mediaflow-tests\"\nversion.workspace = true\n\
         edition.workspace = true\n\n[dependencies]\ncalc.workspace = true\n",
    );
    put("tests/src/lib.rs", "");
    put("tests/tests/unit.rs", UNIT);
    put("tests/tests/chaos.rs", CHAOS);
    let mut catalog = String::from(
        "format_version: 1\nid: mini\ntitle: Miniature\nversion: 0.0.1\ncategories:\n  \
         - { name: unit, binary: unit, weight: 1.0 }\n  \
         - { name: chaos, binary: chaos, weight: 3.0 }\nreward:\n  tiers:\n    \
         - { min_pass_rate: 0.0, reward: 0.0 }\n    \
         - { min_pass_rate: 0.5, reward: 0.4 }\n    \
         - { min_pass_rate: 1.0, reward: 1.0 }\n  per_category_bonus: 0.03\n  \
         chaos_bonus: 0.1\n  bonus_bugs_max: 0.1\n  \
         efficiency: { max_bonus: 0.05, budget_attempts: 200 }\n  \
         regression_penalty: { amount: 0.15, mode: flat }\nprotected: [\"tests/**\"]\nbugs:\n",
    );
    let path = TreePath::parse(CALC).expect("a tree path");
    for bug in bugs {
        let before = Tree::from_files([(path.clone(), CALC_LIB.to_owned())]);
        let after = Tree::from_files([(path.clone(), bug.buggy.clone())]);
        files.insert(
            format!("challenges/mediaflow/bugs/{}.patch", bug.id),
            tree_patch(&before, &after).to_string(),
        );
        let breaks: Vec<String> = bug.breaks.iter().map(|t| format!("\"{t}\"")).collect();
        catalog.push_str(&format!(
            "  - id: {id}\n    title: planted {id}\n    family: {family}\n    service: calc\n    \
             difficulty: 1\n    patch: bugs/{id}.patch\n    breaks: [{breaks}]\n    \
             hints: [\"nudge\", \"location\"]\n",
            id = bug.id,
            family = &bug.id[..1],
            breaks = breaks.join(", "),
        ));
    }
    files.insert("challenges/mediaflow/challenge.yaml".to_owned(), catalog);
    Sources::from_entries(files.into_iter().map(|(p, t)| (p, t.into_bytes())))
}

/// Adds that subtract: caught by its declared unit test, the chaos test breaks too.
fn subtracting_add() -> Planted {
    Planted {
        id: "X1",
        buggy: CALC_LIB.replace("a + b", "a - b"),
        breaks: &["mediaflow-tests::unit two_and_two_make_four"],
    }
}

/// A wider clamp, declared against a test it cannot break.
fn wrongly_declared_clamp() -> Planted {
    Planted {
        id: "X2",
        buggy: CALC_LIB.replace("clamp(0, 100)", "clamp(0, 200)"),
        breaks: &[
            "mediaflow-tests::unit two_and_two_make_four",
            "mediaflow-tests::unit percentages_stay_within_bounds",
        ],
    }
}

/// A bug that does not compile.
fn uncompilable_double() -> Planted {
    Planted {
        id: "X3",
        buggy: CALC_LIB.replace("value * 2", "value * \"2\""),
        breaks: &["mediaflow-tests::unit doubling_doubles"],
    }
}

fn run(sources: &Sources, work_dir: &Path, only: Option<&str>) -> (VerifyReport, Vec<String>) {
    let options = VerifyOptions {
        work_dir: work_dir.to_owned(),
        only: only.map(str::to_owned),
    };
    let mut events = Vec::new();
    let report = verify(sources, &options, &mut |event| {
        events.push(match event {
            VerifyEvent::Step { phase, step } => format!("{phase} {step}"),
            VerifyEvent::Reference(_) => "reference done".to_owned(),
            VerifyEvent::Bug(bug) => format!("{} done", bug.id),
            VerifyEvent::Together(_) => "together done".to_owned(),
        });
    })
    .expect("verify runs");
    (report, events)
}

#[test]
fn a_caught_bug_verifies_with_its_collateral_and_the_starting_pass_rate() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let (report, events) = run(&sources(&[subtracting_add()]), scratch.path(), None);

    assert!(report.reference.passed(), "{:?}", report.reference);
    assert_eq!(report.reference.tests, 4);
    let [bug] = report.bugs.as_slice() else {
        panic!("one bug: {:?}", report.bugs)
    };
    assert!(bug.passed(), "{bug:?}");
    assert_eq!(
        bug.declared[0].verdict,
        Declared::Breaks(FailureKind::Failed)
    );
    let collateral: Vec<String> = bug.collateral.iter().map(ToString::to_string).collect();
    assert_eq!(
        collateral,
        ["mediaflow-tests::chaos negative_numbers_add_up"]
    );

    let together = report.together.as_ref().expect("all bugs together ran");
    assert_eq!((together.passed, together.total), (2, 4));
    // unit 2/3 at weight 1, chaos 0/1 at weight 3: 2 / 6.
    assert_eq!(together.weighted_pass_rate, 0.333);
    assert_eq!(together.tier_reward, 0.0);
    assert!(report.passed());
    assert_eq!(
        events,
        [
            "reference building",
            "reference running",
            "reference done",
            "X1 building",
            "X1 running",
            "X1 done",
            "together building",
            "together running",
            "together done",
        ]
    );
}

#[test]
fn declared_tests_that_still_pass_and_bugs_that_do_not_compile_fail_verification() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let bugs = [wrongly_declared_clamp(), uncompilable_double()];
    let (report, _) = run(&sources(&bugs), scratch.path(), None);

    assert!(report.reference.passed());
    let clamp = &report.bugs[0];
    assert_eq!(
        clamp.declared.iter().map(|d| d.verdict).collect::<Vec<_>>(),
        [Declared::StillPasses, Declared::Breaks(FailureKind::Failed)]
    );
    assert!(!clamp.passed());

    let double = &report.bugs[1];
    let problem = double.problem.as_deref().expect("a compile problem");
    assert!(problem.starts_with("does not compile"), "{problem}");
    assert!(
        problem.contains("cannot multiply"),
        "the compiler's message: {problem}"
    );
    assert!(!double.passed());

    let together = report.together.as_ref().expect("ran");
    assert!(
        together.problem.is_some(),
        "together the bugs do not compile"
    );
    assert!(!report.passed());
}

#[test]
fn one_bug_can_be_verified_alone_and_names_in_breaks_must_be_real_tests() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let mut misnamed = subtracting_add();
    misnamed.id = "X4";
    misnamed.breaks = &["mediaflow-tests::unit two_and_two_make_five"];
    let sources = sources(&[subtracting_add(), misnamed]);
    let (report, _) = run(&sources, scratch.path(), Some("X4"));

    assert_eq!(report.bugs.len(), 1, "only X4 was verified");
    assert_eq!(report.bugs[0].declared[0].verdict, Declared::NotATest);
    assert!(
        report.together.is_none(),
        "--bug skips the all-together run"
    );
    assert!(!report.passed());

    let options = VerifyOptions {
        work_dir: scratch.path().to_owned(),
        only: Some("Z9".to_owned()),
    };
    let error = verify(&sources, &options, &mut |_| {}).expect_err("no such bug");
    assert!(error.to_string().contains("no bug Z9"), "{error}");
}

#[test]
fn mirroring_writes_only_changed_files_and_removes_stale_ones() {
    let scratch = tempfile::tempdir().expect("temp dir");
    let root = scratch.path();
    let mut files = BTreeMap::new();
    files.insert("a/keep.rs".to_owned(), b"same".to_vec());
    files.insert("a/change.rs".to_owned(), b"old".to_vec());
    files.insert("gone.rs".to_owned(), b"bye".to_vec());
    let first = mirror(root, &files).expect("mirror");
    assert_eq!((first.written, first.removed), (3, 0));
    let kept_at = std::fs::metadata(root.join("a/keep.rs"))
        .and_then(|m| m.modified())
        .expect("mtime");

    files.insert("a/change.rs".to_owned(), b"new".to_vec());
    files.remove("gone.rs");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let second = mirror(root, &files).expect("mirror");
    assert_eq!((second.written, second.removed), (1, 1));
    assert_eq!(
        std::fs::read(root.join("a/change.rs")).expect("read"),
        b"new"
    );
    assert!(!root.join("gone.rs").exists());
    let kept_now = std::fs::metadata(root.join("a/keep.rs"))
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(
        kept_at, kept_now,
        "an unchanged file is not rewritten (cargo would rebuild)"
    );
}
