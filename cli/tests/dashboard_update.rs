//! The dashboard's behaviour, driven through its pure `update`: keys, the worker's
//! reports and saved files go in; the state and the effects (run, cancel, hint, watch,
//! quit) that come out are what a player would see happen.

use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use git2::Oid;
use mediaflow::dashboard::model::{
    CategoryInfo, Dashboard, DashboardInit, Focus, InfraLabel, RunKind, RunRequest, Screen, Tone,
};
use mediaflow::dashboard::update::open;
use mediaflow::dashboard::{Action, Effect, WorkerEvent, update};
use mediaflow::play::hints::Hint;
use mediaflow::play::suite::{CategoryRun, SuiteRun};
use mediaflow::runner::{FailureKind, Status, TestId, TestResult};
use mediaflow::workspace_gen::Sources;

const CATEGORIES: [(&str, f64); 3] = [("unit", 1.0), ("chaos", 3.0), ("system", 3.0)];

fn dashboard() -> Dashboard {
    let catalog = Sources::embedded()
        .and_then(|sources| sources.challenge())
        .expect("the embedded challenge loads")
        .catalog;
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 12, 0, 0).unwrap();
    Dashboard::new(DashboardInit {
        title: "MediaFlow".to_owned(),
        version: "0.1.0".to_owned(),
        started_at: now - chrono::Duration::hours(2),
        bugs_planted: 3,
        categories: CATEGORIES
            .iter()
            .map(|(name, weight)| CategoryInfo {
                name: (*name).to_owned(),
                binary: (*name).to_owned(),
                weight: *weight,
            })
            .collect(),
        reward_spec: catalog.reward,
        scenarios: Vec::new(),
        test_scenarios: Default::default(),
        attempts: Vec::new(),
        infra: InfraLabel("embedded".to_owned()),
        no_color: false,
        now,
    })
}

fn id(binary: &str, name: &str) -> TestId {
    TestId::new(format!("mediaflow-tests::{binary}"), name)
}

fn result(binary: &str, name: &str, passed: bool) -> TestResult {
    TestResult {
        id: id(binary, name),
        status: if passed {
            Status::Passed
        } else {
            Status::Failed(FailureKind::Failed)
        },
        duration: None,
        message: if passed {
            String::new()
        } else {
            "assertion `left == right` failed\n  left: 240\n right: 250".to_owned()
        },
        output: String::new(),
    }
}

/// Results of `tree`: per category, `(test name, passed)`.
fn suite(tree: u8, categories: &[(&str, &[(&str, bool)])]) -> SuiteRun {
    SuiteRun {
        tree: Oid::from_bytes(&[tree; 20]).unwrap(),
        categories: categories
            .iter()
            .map(|(name, tests)| CategoryRun {
                name: (*name).to_owned(),
                binary: (*name).to_owned(),
                weight: 1.0,
                results: tests.iter().map(|(t, p)| result(name, t, *p)).collect(),
                build_errors: Vec::new(),
            })
            .collect(),
        from_cache: false,
        elapsed: std::time::Duration::from_secs(3),
    }
}

fn finished(run: SuiteRun) -> Action {
    Action::Worker(WorkerEvent::Finished {
        suite: Box::new(run),
        preview: None,
    })
}

fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn char(c: char) -> Action {
    key(KeyCode::Char(c))
}

/// Every category's first results: unit has two failures, chaos one, system none.
fn first_results() -> SuiteRun {
    suite(
        1,
        &[
            (
                "unit",
                &[
                    ("money::a", false),
                    ("money::b", true),
                    ("billing::c", false),
                ],
            ),
            ("chaos", &[("broker::d", false), ("broker::e", true)]),
            ("system", &[("flows::f", true)]),
        ],
    )
}

/// A dashboard that opened and got its first results.
fn with_results() -> Dashboard {
    let mut state = dashboard();
    let _ = open(&mut state);
    let _ = update(&mut state, finished(first_results()));
    state
}

fn run_of(effects: &[Effect]) -> Option<&RunRequest> {
    effects.iter().find_map(|effect| match effect {
        Effect::Run(request) => Some(request),
        _ => None,
    })
}

#[test]
fn opening_runs_every_category_answered_from_the_cache_when_unchanged() {
    let mut state = dashboard();
    let effects = open(&mut state);
    let run = run_of(&effects).expect("opening starts a run");
    assert_eq!(run.categories, ["unit", "chaos", "system"]);
    assert!(!run.fresh, "an unchanged tree's cached results answer");
    assert!(state.run.is_some(), "the run shows as going on");
}

#[test]
fn results_list_the_failures_grouped_by_category_in_catalog_order() {
    let state = with_results();
    let names: Vec<&str> = state
        .failures
        .rows
        .iter()
        .map(|row| row.result.id.name.as_str())
        .collect();
    assert_eq!(names, ["billing::c", "money::a", "broker::d"]);
    assert_eq!(state.tally(0), Some((1, 3)));
    assert_eq!(state.tally(1), Some((1, 2)));
    assert!(state.run.is_none(), "the run is over");
}

#[test]
fn a_run_asked_for_during_another_is_queued_and_starts_when_it_ends() {
    let mut state = dashboard();
    let _ = open(&mut state);
    let effects = update(&mut state, char('s'));
    assert!(run_of(&effects).is_none(), "nothing starts beside a run");
    assert_eq!(
        state.pending.as_ref().map(|r| &r.kind),
        Some(&RunKind::Score)
    );
    let effects = update(&mut state, finished(first_results()));
    assert_eq!(run_of(&effects).map(|r| &r.kind), Some(&RunKind::Score));
    assert!(state.pending.is_none());
}

#[test]
fn finished_tests_move_their_categorys_live_count() {
    let mut state = with_results();
    let _ = update(&mut state, char('r'));
    let request = state.run.as_ref().unwrap().request.clone();
    let _ = update(
        &mut state,
        Action::Worker(WorkerEvent::Started {
            request,
            expected: vec![
                ("unit".into(), 3),
                ("chaos".into(), 2),
                ("system".into(), 1),
            ],
        }),
    );
    for (name, passed) in [("money::a", true), ("billing::c", false)] {
        let event = WorkerEvent::TestFinished {
            id: id("unit", name),
            passed,
        };
        let _ = update(&mut state, Action::Worker(event));
    }
    let unit = state.progress(0).expect("unit is being run");
    assert_eq!((unit.done, unit.failed, unit.expected), (2, 1, 3));
    assert_eq!(state.live_outcome(&id("unit", "money::a")), Some(true));
    assert_eq!(state.live_outcome(&id("unit", "billing::c")), Some(false));
    assert_eq!(state.live_outcome(&id("chaos", "broker::d")), None);
}

#[test]
fn a_new_run_reports_which_tests_flipped() {
    let mut state = with_results();
    let _ = update(&mut state, char('r'));
    let after = suite(
        2,
        &[
            (
                "unit",
                &[
                    ("money::a", true),
                    ("money::b", false),
                    ("billing::c", false),
                ],
            ),
            ("chaos", &[("broker::d", true), ("broker::e", true)]),
            ("system", &[("flows::f", true)]),
        ],
    );
    let _ = update(&mut state, finished(after));
    assert_eq!(
        state.flips.fixed,
        [id("chaos", "broker::d"), id("unit", "money::a")]
    );
    assert_eq!(state.flips.broke, [id("unit", "money::b")]);
    let notice = state.notice.as_ref().expect("the run is summarised");
    assert_eq!(
        notice.tone,
        Tone::Bad,
        "a test that broke outweighs the fixes"
    );
    assert!(
        notice.text.contains("2 now pass, 1 now fail"),
        "{}",
        notice.text
    );
}

#[test]
fn running_one_category_keeps_the_others_results_marked_stale() {
    let mut state = with_results();
    let _ = update(&mut state, char('f')); // filter: unit
    let effects = update(&mut state, char('c'));
    let run = run_of(&effects).expect("c runs the selected failure's category");
    assert_eq!(run.categories, ["unit"]);
    let unit_only = suite(
        2,
        &[(
            "unit",
            &[("money::a", true), ("money::b", true), ("billing::c", true)],
        )],
    );
    let _ = update(&mut state, finished(unit_only));
    assert_eq!(state.tally(0), Some((3, 3)));
    assert_eq!(
        state.tally(1),
        Some((1, 2)),
        "chaos keeps its earlier results"
    );
    assert!(state.stale.contains("chaos") && state.stale.contains("system"));
    assert!(!state.stale.contains("unit"));
}

#[test]
fn search_narrows_the_failures_by_name_and_escape_clears_it() {
    let mut state = with_results();
    let _ = update(&mut state, char('/'));
    for c in "MONEY".chars() {
        let _ = update(&mut state, char(c));
    }
    assert!(state.failures.searching);
    let shown: Vec<&str> = state
        .failures
        .visible
        .iter()
        .map(|&i| state.failures.rows[i].result.id.name.as_str())
        .collect();
    assert_eq!(shown, ["money::a"], "case-insensitive match on the name");
    let _ = update(&mut state, key(KeyCode::Esc));
    assert!(!state.failures.searching);
    assert_eq!(state.failures.visible.len(), 3);
}

#[test]
fn the_category_filter_cycles_through_every_category_then_off() {
    let mut state = with_results();
    let mut seen = Vec::new();
    for _ in 0..4 {
        let _ = update(&mut state, char('f'));
        seen.push((state.failures.category_filter, state.failures.visible.len()));
    }
    assert_eq!(seen, [(Some(0), 2), (Some(1), 1), (Some(2), 0), (None, 3)]);
}

#[test]
fn the_selection_stays_on_the_same_test_when_the_list_changes() {
    let mut state = with_results();
    let _ = update(&mut state, key(KeyCode::Down));
    let selected = state.failures.selected_row().unwrap().result.id.clone();
    assert_eq!(selected, id("unit", "money::a"));
    let _ = update(&mut state, char('r'));
    let after = suite(
        2,
        &[
            (
                "unit",
                &[
                    ("money::a", false),
                    ("money::b", true),
                    ("billing::c", true),
                ],
            ),
            ("chaos", &[("broker::d", false), ("broker::e", true)]),
            ("system", &[("flows::f", true)]),
        ],
    );
    let _ = update(&mut state, finished(after));
    assert_eq!(state.failures.selected_row().unwrap().result.id, selected);
}

#[test]
fn saving_a_file_while_watching_reruns_the_failing_tests_first() {
    let mut state = with_results();
    let saved = vec!["platform/shared/src/money.rs".to_owned()];
    let effects = update(&mut state, Action::FilesChanged(saved.clone()));
    assert!(effects.is_empty(), "without watch mode a save does nothing");

    assert_eq!(update(&mut state, char('w')), [Effect::Watch(true)]);
    let effects = update(&mut state, Action::FilesChanged(saved.clone()));
    let run = run_of(&effects).expect("a save re-runs");
    assert_eq!(run.kind, RunKind::Watch(saved));
    assert_eq!(
        run.first,
        [
            id("unit", "billing::c"),
            id("unit", "money::a"),
            id("chaos", "broker::d")
        ]
    );
    assert_eq!(run.categories.len(), 3, "then the rest of every category");
}

#[test]
fn quitting_during_a_run_stops_it_first() {
    let mut state = dashboard();
    let _ = open(&mut state);
    assert_eq!(
        update(&mut state, char('q')),
        [Effect::Cancel, Effect::Quit]
    );
    assert!(state.quitting);
    let mut idle = with_results();
    let ctrl_c = Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(update(&mut idle, ctrl_c), [Effect::Quit]);
}

#[test]
fn a_hint_is_asked_for_the_selected_failure_and_shown_with_it() {
    let mut state = with_results();
    let effects = update(&mut state, char('h'));
    let test = id("unit", "billing::c");
    assert_eq!(effects, [Effect::Hint(test.clone())]);
    assert_eq!(state.focus, Focus::Detail);
    let hint = Hint {
        test: test.to_string(),
        level: 1,
        levels: 3,
        text: "look at how the days are counted".to_owned(),
        exhausted: false,
    };
    let _ = update(
        &mut state,
        Action::Worker(WorkerEvent::Hints {
            test: test.clone(),
            hints: vec![hint.clone()],
        }),
    );
    assert_eq!(state.hints.get(&test), Some(&vec![hint]));
    let _ = update(
        &mut state,
        Action::Worker(WorkerEvent::Hints {
            test: id("chaos", "broker::d"),
            hints: Vec::new(),
        }),
    );
    assert!(state.notice.as_ref().unwrap().text.starts_with("no hint"));
}

#[test]
fn help_opens_with_a_question_mark_and_swallows_other_keys_until_closed() {
    let mut state = with_results();
    let _ = update(&mut state, char('?'));
    assert!(state.help);
    assert!(
        update(&mut state, char('r')).is_empty(),
        "r does not run under the help"
    );
    assert_eq!(state.screen, Screen::Tests);
    let _ = update(&mut state, key(KeyCode::Esc));
    assert!(!state.help);
}

#[test]
fn tab_moves_between_panels_and_numbers_switch_screens() {
    let mut state = with_results();
    assert_eq!(state.focus, Focus::Failures);
    let _ = update(&mut state, key(KeyCode::Tab));
    assert_eq!(state.focus, Focus::Detail);
    let _ = update(&mut state, key(KeyCode::BackTab));
    let _ = update(&mut state, key(KeyCode::BackTab));
    assert_eq!(state.focus, Focus::Categories);
    let _ = update(&mut state, char('3'));
    assert_eq!(state.screen, Screen::Reward);
}

#[test]
fn a_failed_run_is_reported_and_ends_the_run() {
    let mut state = dashboard();
    let _ = open(&mut state);
    let message =
        "cargo-nextest is not installed; install it with `cargo install cargo-nextest --locked`";
    let _ = update(
        &mut state,
        Action::Worker(WorkerEvent::Failed(message.to_owned())),
    );
    assert!(state.run.is_none());
    let notice = state.notice.as_ref().unwrap();
    assert_eq!((notice.tone, notice.text.as_str()), (Tone::Bad, message));
}
