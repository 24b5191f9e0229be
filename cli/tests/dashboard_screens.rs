//! Snapshot tests of every dashboard screen at 80×24 and 120×40, drawn from fixture
//! states made through the real update path, plus checks of the styles a person relies
//! on: the diff's colours, the focused border, and no colour at all under `NO_COLOR`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mediaflow::dashboard::fixture::{self, Universe};
use mediaflow::dashboard::model::{Dashboard, Focus, Screen};
use mediaflow::dashboard::{Action, WorkerEvent, update, view};
use mediaflow::play::hints::Hint;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

/// The two sizes every screen is checked at.
const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

fn render(state: &Dashboard, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    terminal
        .draw(|frame| view::draw(frame, state))
        .expect("drawing into a test backend");
    terminal
}

/// Snapshots `state` at both sizes as `<name>_<w>x<h>`.
fn snapshot_both(name: &str, state: &Dashboard) {
    for (width, height) in SIZES {
        let terminal = render(state, width, height);
        insta::assert_snapshot!(format!("{name}_{width}x{height}"), terminal.backend());
    }
}

fn press(state: &mut Dashboard, code: KeyCode) {
    update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

/// 531 tests, 37 failing, two attempts recorded before.
fn playing() -> Dashboard {
    let universe = Universe::new(531);
    let attempts = fixture::history(&universe, &[103, 61]);
    fixture::dashboard(attempts, universe.suite(37))
}

#[test]
fn the_tests_screen_lists_categories_and_failures_with_the_first_failure_in_detail() {
    snapshot_both("tests_screen", &playing());
}

/// `state` with the first visible failure whose message has `left`/`right` selected.
fn select_assertion(state: &mut Dashboard) {
    let list = &state.failures;
    let position = list
        .visible
        .iter()
        .position(|&i| list.rows[i].result.message.contains("\n  left: "))
        .expect("a failed assert_eq among the failures");
    state.failures.selected = position;
}

fn type_text(state: &mut Dashboard, text: &str) {
    for c in text.chars() {
        press(state, KeyCode::Char(c));
    }
}

#[test]
fn the_detail_shows_an_assertion_as_an_inline_diff() {
    let mut state = playing();
    select_assertion(&mut state);
    press(&mut state, KeyCode::Enter);
    assert_eq!(state.focus, Focus::Detail);
    let test = state
        .failures
        .selected_row()
        .expect("a selection")
        .result
        .id
        .clone();
    let hint = Hint {
        test: test.to_string(),
        level: 1,
        levels: 3,
        text:
            "Mid-period plan changes come out a few cents low, and the error grows with the price."
                .to_owned(),
        exhausted: false,
    };
    let hints = vec![hint];
    update(
        &mut state,
        Action::Worker(WorkerEvent::Hints { test, hints }),
    );
    snapshot_both("detail_with_assert_diff", &state);
}

#[test]
fn the_detail_scrolls_to_the_captured_output() {
    let mut state = playing();
    let list = &state.failures;
    state.failures.selected = list
        .visible
        .iter()
        .position(|&i| !list.rows[i].result.output.is_empty())
        .expect("a failure with output");
    press(&mut state, KeyCode::Enter);
    for _ in 0..4 {
        press(&mut state, KeyCode::Down);
    }
    assert_eq!(state.detail_scroll, 4);
    snapshot_both("detail_scrolled", &state);
}

#[test]
fn code_that_does_not_build_shows_the_compiler_errors() {
    let universe = Universe::new(531);
    let state = fixture::dashboard(Vec::new(), universe.build_failure());
    snapshot_both("build_error", &state);
}

#[test]
fn a_run_shows_live_progress_per_category_and_tests_that_now_pass() {
    let universe = Universe::new(531);
    let mut state = fixture::dashboard(fixture::history(&universe, &[61]), universe.suite(37));
    press(&mut state, KeyCode::Char('r'));
    let request = state.run.as_ref().expect("r starts a run").request.clone();
    let expected = universe
        .categories
        .iter()
        .map(|(name, _, _, ids)| (name.clone(), ids.len()))
        .collect();
    let worker = |state: &mut Dashboard, event| update(state, Action::Worker(event));
    worker(&mut state, WorkerEvent::Started { request, expected });
    worker(&mut state, WorkerEvent::Testing);
    // The unit tests have all finished: of the failing ones, the first half pass now.
    let (_, _, _, unit) = &universe.categories[0];
    let failing: Vec<_> = state
        .failures
        .rows
        .iter()
        .map(|r| r.result.id.clone())
        .collect();
    for id in unit {
        let was_failing = failing.iter().position(|f| f == id);
        let passed = was_failing.is_none_or(|at| at % 2 == 0);
        worker(
            &mut state,
            WorkerEvent::TestFinished {
                id: id.clone(),
                passed,
            },
        );
    }
    let (_, _, _, integration) = &universe.categories[1];
    for id in integration.iter().take(40) {
        worker(
            &mut state,
            WorkerEvent::TestFinished {
                id: id.clone(),
                passed: true,
            },
        );
    }
    state.now += chrono::Duration::milliseconds(300);
    snapshot_both("during_a_run", &state);
}

#[test]
fn categories_not_rerun_on_changed_code_are_dimmed_and_marked_old() {
    let universe = Universe::new(531);
    let mut state = fixture::dashboard(Vec::new(), universe.suite(37));
    // A run of the unit category only, on code that changed since.
    let mut unit_only = universe.suite(30);
    unit_only.categories.truncate(1);
    unit_only.tree = git2::Oid::from_bytes(&[9; 20]).expect("an object id");
    fixture::finish(&mut state, unit_only);
    let terminal = render(&state, 120, 40);
    let buffer = terminal.backend().buffer();
    let (_, unit_row) = find(buffer, " unit ").expect("the unit row");
    let (_, chaos_row) = find(buffer, " chaos ").expect("the chaos row");
    let row_text = |y: u16| -> String { (0..54).map(|x| buffer[(x, y)].symbol()).collect() };
    assert!(
        !row_text(unit_row).contains("old"),
        "{}",
        row_text(unit_row)
    );
    assert!(
        row_text(chaos_row).contains("old"),
        "{}",
        row_text(chaos_row)
    );
    let (x, _) = find(buffer, " chaos ").expect("the chaos row");
    assert_eq!(
        buffer[(x + 1, chaos_row)].fg,
        Color::DarkGray,
        "stale rows are dimmed"
    );
}

#[test]
fn searching_with_a_category_filter_narrows_the_failures() {
    let mut state = playing();
    press(&mut state, KeyCode::Char('f'));
    press(&mut state, KeyCode::Char('f'));
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "catalog");
    assert!(state.failures.searching);
    snapshot_both("search_and_filter", &state);
}

#[test]
fn before_any_result_the_dashboard_says_the_tests_are_running() {
    let mut state = Dashboard::new(fixture::init(Vec::new()));
    press(&mut state, KeyCode::Char('r'));
    update(&mut state, Action::Worker(WorkerEvent::Building(
        "   Compiling mediaflow-billing v0.1.0 (/home/player/mediaflow/platform/services/billing)".to_owned(),
    )));
    snapshot_both("no_results_yet", &state);
}

#[test]
fn when_every_test_passes_the_dashboard_says_so_calmly() {
    let universe = Universe::new(531);
    let state = fixture::dashboard(fixture::history(&universe, &[103, 12]), universe.suite(0));
    snapshot_both("all_passing", &state);
}

#[test]
fn the_scenarios_screen_renders_the_write_up() {
    let mut state = playing();
    press(&mut state, KeyCode::Char('2'));
    assert_eq!(state.screen, Screen::Scenarios);
    snapshot_both("scenarios", &state);
}

#[test]
fn the_next_scenario_scrolls_to_its_code_blocks() {
    let mut state = playing();
    press(&mut state, KeyCode::Char('2'));
    press(&mut state, KeyCode::Right);
    for _ in 0..12 {
        press(&mut state, KeyCode::Down);
    }
    assert_eq!((state.scenario_index, state.scenario_scroll), (1, 12));
    snapshot_both("scenario_scrolled", &state);
}

#[test]
fn the_reward_screen_previews_regressions_and_the_files_changed() {
    let universe = Universe::new(531);
    let attempts = fixture::history(&universe, &[103, 61, 40]);
    // Three tests fixed, three that passed in attempt 3 broken.
    let failing = universe.failure_order[3..43].iter().collect();
    let mut state = fixture::dashboard(attempts, universe.suite_failing(&failing));
    press(&mut state, KeyCode::Char('3'));
    let assessment = state.assessment.as_ref().expect("a preview");
    assert!(!assessment.recorded);
    assert_eq!(assessment.attempt.regressions.len(), 3);
    snapshot_both("reward_preview_with_regressions", &state);
}

#[test]
fn the_reward_screen_shows_a_recorded_attempt_and_its_history() {
    let universe = Universe::new(531);
    let attempts = fixture::history(&universe, &[103, 88, 61, 70, 40, 22]);
    let mut state = fixture::dashboard(attempts, universe.suite(22));
    let last = state.attempts.last().cloned().expect("attempts");
    let attempt = fixture::attempt(last.number + 1, &universe.suite(22), Some(&last), state.now);
    update(
        &mut state,
        Action::Worker(WorkerEvent::Scored {
            suite: Box::new(universe.suite(22)),
            attempt: Box::new(attempt),
        }),
    );
    press(&mut state, KeyCode::Char('3'));
    assert!(state.assessment.as_ref().is_some_and(|a| a.recorded));
    snapshot_both("reward_recorded_with_history", &state);
}

#[test]
fn the_help_overlay_lists_every_key() {
    let mut state = playing();
    press(&mut state, KeyCode::Char('?'));
    snapshot_both("help_overlay", &state);
}

#[test]
fn a_terminal_smaller_than_80_by_24_gets_a_message_not_a_garbled_screen() {
    let state = playing();
    let terminal = render(&state, 79, 24);
    insta::assert_snapshot!("too_small_79x24", terminal.backend());
    let text = format!("{}", render(&state, 60, 10).backend());
    assert!(
        text.contains("terminal too small: 80×24 needed, this is 60×10"),
        "{text}"
    );
}

/// Where `text` starts in `buffer` (first row that has it).
fn find(buffer: &Buffer, text: &str) -> Option<(u16, u16)> {
    let width = buffer.area.width;
    (0..buffer.area.height).find_map(|y| {
        let row: Vec<&str> = (0..width).map(|x| buffer[(x, y)].symbol()).collect();
        let line = row.concat();
        let byte = line.find(text)?;
        // Cells hold one symbol each: count the symbols before the match.
        let mut bytes = 0;
        let x = row.iter().position(|s| {
            let here = bytes;
            bytes += s.len();
            here >= byte
        })?;
        Some((u16::try_from(x).ok()?, y))
    })
}

#[test]
fn the_diff_colours_removed_characters_red_and_added_ones_green() {
    let mut state = playing();
    let list = &state.failures;
    state.failures.selected = list
        .visible
        .iter()
        .position(|&i| {
            list.rows[i]
                .result
                .message
                .contains("left: Money { cents: 240 }")
        })
        .expect("the proration assertion among the failures");
    let terminal = render(&state, 120, 40);
    let buffer = terminal.backend().buffer();
    let (lx, ly) = find(buffer, "left: Money { cents: 240 }").expect("the left side");
    let (rx, ry) = find(buffer, "right: Money { cents: 250 }").expect("the right side");
    let left_4 = &buffer[(
        lx + u16::try_from("left: Money { cents: 2".len()).unwrap(),
        ly,
    )];
    let right_5 = &buffer[(
        rx + u16::try_from("right: Money { cents: 2".len()).unwrap(),
        ry,
    )];
    assert_eq!(left_4.symbol(), "4");
    assert_eq!(left_4.fg, Color::Red);
    assert!(left_4.modifier.contains(Modifier::BOLD));
    assert_eq!(right_5.symbol(), "5");
    assert_eq!(right_5.fg, Color::Green);
    let equal = &buffer[(lx + u16::try_from("left: M".len()).unwrap(), ly)];
    assert_eq!(
        (equal.symbol(), equal.fg),
        ("o", Color::Reset),
        "equal text stays plain"
    );
}

#[test]
fn only_the_focused_panel_has_a_highlighted_border() {
    let mut state = playing();
    for (focus, title) in [
        (Focus::Failures, "Failures"),
        (Focus::Detail, "Detail"),
        (Focus::Categories, "Categories"),
    ] {
        state.focus = focus;
        let terminal = render(&state, 120, 40);
        let buffer = terminal.backend().buffer();
        for other in ["Failures", "Detail", "Categories"] {
            let (x, y) = find(buffer, other).expect("every panel's title");
            let border = &buffer[(x - 2, y)];
            if other == title {
                assert_eq!(border.fg, Color::Cyan, "{other} focused");
                assert_eq!(border.symbol(), "┏", "{other} focused is thick");
            } else {
                assert_ne!(border.fg, Color::Cyan, "{other} while {title} is focused");
            }
        }
    }
}

#[test]
fn with_no_color_no_cell_has_a_colour_on_any_screen() {
    let mut state = playing();
    state.no_color = true;
    select_assertion(&mut state);
    for key in ['1', '2', '3', '?'] {
        press(&mut state, KeyCode::Char(key));
        for (width, height) in SIZES {
            let terminal = render(&state, width, height);
            let buffer = terminal.backend().buffer();
            for cell in buffer.content() {
                assert_eq!(
                    (cell.fg, cell.bg),
                    (Color::Reset, Color::Reset),
                    "{key} {width}x{height}: {cell:?}"
                );
            }
        }
    }
}
