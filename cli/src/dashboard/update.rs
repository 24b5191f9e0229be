//! `update`: the one place the dashboard's state changes. Keys, ticks, file changes and
//! the worker's reports come in as [`Action`]s; what must happen outside (start a run,
//! cancel it, fetch a hint, watch files, quit) goes out as [`Effect`]s. No IO here, so
//! every behaviour is tested by feeding actions.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::runner::TestId;

use super::action::{Action, Effect, WorkerEvent};
use super::model::{
    Assessment, CategoryProgress, Dashboard, Focus, Notice, RunKind, RunProgress, RunRequest,
    Screen, Stage, Tone,
};

/// Lines a page key moves.
const PAGE: usize = 10;

/// Applies one action; returns what must be done outside.
pub fn update(state: &mut Dashboard, action: Action) -> Vec<Effect> {
    match action {
        Action::Key(key) => on_key(state, key),
        Action::Tick(now) => {
            state.now = now;
            Vec::new()
        }
        Action::FilesChanged(paths) => on_files_changed(state, paths),
        Action::Worker(event) => on_worker(state, event),
    }
}

/// Starts the run the dashboard opens with: every category, answered from the cache
/// when the code is unchanged.
pub fn open(state: &mut Dashboard) -> Vec<Effect> {
    let run = run_all(state, false);
    request(state, run)
}

fn run_all(state: &Dashboard, fresh: bool) -> RunRequest {
    RunRequest {
        kind: RunKind::All,
        categories: state.categories.iter().map(|c| c.name.clone()).collect(),
        first: Vec::new(),
        fresh,
    }
}

fn on_key(state: &mut Dashboard, key: KeyEvent) -> Vec<Effect> {
    if key.kind != KeyEventKind::Press {
        return Vec::new();
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c' | 'd')) {
        return quit(state);
    }
    if state.failures.searching {
        return on_search_key(state, key);
    }
    if state.help {
        match key.code {
            KeyCode::Char('q') => return quit(state),
            KeyCode::Esc | KeyCode::Char('?') | KeyCode::Enter => state.help = false,
            _ => {}
        }
        return Vec::new();
    }
    match key.code {
        KeyCode::Char('q') => return quit(state),
        KeyCode::Char('?') => state.help = true,
        KeyCode::Esc => on_escape(state),
        KeyCode::Char('1') => state.screen = Screen::Tests,
        KeyCode::Char('2') => state.screen = Screen::Scenarios,
        KeyCode::Char('3') => state.screen = Screen::Reward,
        KeyCode::Tab => on_tab(state, true),
        KeyCode::BackTab => on_tab(state, false),
        KeyCode::Char('r') => return request(state, run_all(state, false)),
        KeyCode::Char('R') => return request(state, run_all(state, true)),
        KeyCode::Char('c') => return run_selected_category(state),
        KeyCode::Char('s') => {
            let mut score = run_all(state, false);
            score.kind = RunKind::Score;
            return request(state, score);
        }
        KeyCode::Char('h') => return hint(state),
        KeyCode::Char('w') => return toggle_watch(state),
        KeyCode::Char('x') => return cancel(state),
        KeyCode::Char('/') => {
            state.screen = Screen::Tests;
            state.focus = Focus::Failures;
            state.failures.searching = true;
        }
        KeyCode::Char('f') => cycle_filter(state),
        KeyCode::Enter => on_enter(state),
        KeyCode::Up | KeyCode::Char('k') => move_by(state, -1),
        KeyCode::Down | KeyCode::Char('j') => move_by(state, 1),
        KeyCode::PageUp => move_by(state, -(PAGE as isize)),
        KeyCode::PageDown => move_by(state, PAGE as isize),
        KeyCode::Home | KeyCode::Char('g') => move_by(state, isize::MIN),
        KeyCode::End | KeyCode::Char('G') => move_by(state, isize::MAX),
        KeyCode::Left | KeyCode::Char('[') => step_scenario(state, false),
        KeyCode::Right | KeyCode::Char(']') => step_scenario(state, true),
        _ => {}
    }
    Vec::new()
}

fn on_search_key(state: &mut Dashboard, key: KeyEvent) -> Vec<Effect> {
    let list = &mut state.failures;
    match key.code {
        KeyCode::Enter => list.searching = false,
        KeyCode::Esc => {
            list.searching = false;
            list.search.clear();
            list.refresh();
        }
        KeyCode::Backspace => {
            list.search.pop();
            list.refresh();
        }
        KeyCode::Char(c) => {
            list.search.push(c);
            list.refresh();
        }
        KeyCode::Up => move_by(state, -1),
        KeyCode::Down => move_by(state, 1),
        _ => {}
    }
    state.detail_scroll = 0;
    Vec::new()
}

fn quit(state: &mut Dashboard) -> Vec<Effect> {
    state.quitting = true;
    let mut effects = Vec::new();
    if state.run.is_some() {
        effects.push(Effect::Cancel);
    }
    effects.push(Effect::Quit);
    effects
}

fn on_escape(state: &mut Dashboard) {
    let list = &mut state.failures;
    if !list.search.is_empty() {
        list.search.clear();
    } else if list.category_filter.is_some() {
        list.category_filter = None;
    } else if state.focus == Focus::Detail {
        state.focus = Focus::Failures;
        return;
    } else {
        return;
    }
    list.refresh();
    state.detail_scroll = 0;
}

fn on_tab(state: &mut Dashboard, forward: bool) {
    match state.screen {
        Screen::Tests => {
            state.focus = if forward {
                state.focus.next()
            } else {
                state.focus.previous()
            };
        }
        Screen::Scenarios => step_scenario(state, forward),
        Screen::Reward => {}
    }
}

fn on_enter(state: &mut Dashboard) {
    if state.screen != Screen::Tests {
        return;
    }
    match state.focus {
        Focus::Categories => {
            let list = &mut state.failures;
            list.category_filter = if list.category_filter == Some(state.category_cursor) {
                None
            } else {
                Some(state.category_cursor)
            };
            list.refresh();
            state.detail_scroll = 0;
            state.focus = Focus::Failures;
        }
        Focus::Failures => state.focus = Focus::Detail,
        Focus::Detail => {}
    }
}

fn cycle_filter(state: &mut Dashboard) {
    let count = state.categories.len();
    let list = &mut state.failures;
    list.category_filter = match list.category_filter {
        None if count > 0 => Some(0),
        Some(index) if index + 1 < count => Some(index + 1),
        _ => None,
    };
    list.refresh();
    state.detail_scroll = 0;
}

/// Moves the cursor of whatever has the keys; `isize::MIN`/`MAX` go to the ends.
fn move_by(state: &mut Dashboard, delta: isize) {
    fn moved(position: usize, delta: isize, len: usize) -> usize {
        if len == 0 {
            return 0;
        }
        let target = position.saturating_add_signed(delta);
        target.min(len - 1)
    }
    fn scrolled(position: u16, delta: isize) -> u16 {
        let target = usize::from(position).saturating_add_signed(delta);
        u16::try_from(target).unwrap_or(u16::MAX)
    }
    match state.screen {
        Screen::Tests => match state.focus {
            Focus::Categories => {
                state.category_cursor = moved(state.category_cursor, delta, state.categories.len());
            }
            Focus::Failures => {
                let list = &mut state.failures;
                let before = list.selected;
                list.selected = moved(list.selected, delta, list.visible.len());
                if list.selected != before {
                    state.detail_scroll = 0;
                }
            }
            Focus::Detail => state.detail_scroll = scrolled(state.detail_scroll, delta),
        },
        Screen::Scenarios => state.scenario_scroll = scrolled(state.scenario_scroll, delta),
        Screen::Reward => state.reward_scroll = scrolled(state.reward_scroll, delta),
    }
}

fn step_scenario(state: &mut Dashboard, forward: bool) {
    if state.screen != Screen::Scenarios || state.scenarios.is_empty() {
        return;
    }
    let count = state.scenarios.len();
    state.scenario_index = if forward {
        (state.scenario_index + 1) % count
    } else {
        (state.scenario_index + count - 1) % count
    };
    state.scenario_scroll = 0;
}

/// The category `c` runs: the cursor's in the categories panel, else the selected
/// failure's, else the filter's.
fn selected_category(state: &Dashboard) -> Option<usize> {
    if state.screen == Screen::Tests && state.focus == Focus::Categories {
        return Some(state.category_cursor);
    }
    state
        .failures
        .selected_row()
        .map(|row| row.category)
        .or(state.failures.category_filter)
}

fn run_selected_category(state: &mut Dashboard) -> Vec<Effect> {
    let Some(category) = selected_category(state).and_then(|i| state.categories.get(i)) else {
        notify(
            state,
            Tone::Info,
            "select a category first (Tab to the categories panel)",
        );
        return Vec::new();
    };
    let name = category.name.clone();
    request(
        state,
        RunRequest {
            kind: RunKind::Category(name.clone()),
            categories: vec![name],
            first: Vec::new(),
            fresh: false,
        },
    )
}

fn hint(state: &mut Dashboard) -> Vec<Effect> {
    let Some(row) = state.failures.selected_row() else {
        notify(
            state,
            Tone::Info,
            "select a failing test to get a hint for it",
        );
        return Vec::new();
    };
    let test = row.result.id.clone();
    state.screen = Screen::Tests;
    state.focus = Focus::Detail;
    vec![Effect::Hint(test)]
}

fn toggle_watch(state: &mut Dashboard) -> Vec<Effect> {
    state.watching = !state.watching;
    let text = if state.watching {
        "watching platform/: saving a file re-runs the failing tests first, then the rest"
    } else {
        "stopped watching"
    };
    notify(state, Tone::Info, text);
    vec![Effect::Watch(state.watching)]
}

fn cancel(state: &mut Dashboard) -> Vec<Effect> {
    state.pending = None;
    if state.run.is_none() {
        notify(state, Tone::Info, "no run is going on");
        return Vec::new();
    }
    notify(state, Tone::Info, "stopping the run…");
    vec![Effect::Cancel]
}

/// Starts `run`, or queues it behind the one going on (replacing any queued one).
fn request(state: &mut Dashboard, run: RunRequest) -> Vec<Effect> {
    if state.run.is_some() {
        let what = describe(&run.kind);
        state.pending = Some(run);
        notify(
            state,
            Tone::Info,
            &format!("{what} queued: it starts when the current run ends"),
        );
        return Vec::new();
    }
    state.run = Some(RunProgress {
        stage: Stage::Starting,
        categories: run
            .categories
            .iter()
            .map(|name| CategoryProgress {
                name: name.clone(),
                done: 0,
                failed: 0,
                expected: 0,
            })
            .collect(),
        started_at: state.now,
        finished: Default::default(),
        request: run.clone(),
    });
    vec![Effect::Run(run)]
}

fn describe(kind: &RunKind) -> String {
    match kind {
        RunKind::All => "a run of every category".to_owned(),
        RunKind::Category(name) => format!("a run of {name}"),
        RunKind::Watch(_) => "a re-run of the changed code".to_owned(),
        RunKind::Score => "scoring".to_owned(),
    }
}

fn on_files_changed(state: &mut Dashboard, paths: Vec<String>) -> Vec<Effect> {
    if !state.watching || paths.is_empty() {
        return Vec::new();
    }
    let first: Vec<TestId> = state
        .failures
        .rows
        .iter()
        .map(|row| row.result.id.clone())
        .collect();
    let run = RunRequest {
        kind: RunKind::Watch(paths),
        categories: state.categories.iter().map(|c| c.name.clone()).collect(),
        first,
        fresh: false,
    };
    request(state, run)
}

fn on_worker(state: &mut Dashboard, event: WorkerEvent) -> Vec<Effect> {
    match event {
        WorkerEvent::Started { request, expected } => {
            let run = state.run.get_or_insert_with(|| RunProgress {
                request: request.clone(),
                stage: Stage::Starting,
                categories: Vec::new(),
                started_at: state.now,
                finished: Default::default(),
            });
            run.request = request;
            run.categories = expected
                .into_iter()
                .map(|(name, expected)| CategoryProgress {
                    name,
                    done: 0,
                    failed: 0,
                    expected,
                })
                .collect();
            if let RunKind::Watch(paths) = &run.request.kind {
                let text = format!(
                    "saved {} — re-running, failing tests first",
                    paths.join(", ")
                );
                notify(state, Tone::Info, &text);
            }
        }
        WorkerEvent::Cached(names) => {
            let text = format!("unchanged code: results reused for {}", names.join(", "));
            notify(state, Tone::Info, &text);
        }
        WorkerEvent::Listing => set_stage(state, Stage::Listing),
        WorkerEvent::Building(line) => set_stage(state, Stage::Building(line)),
        WorkerEvent::Testing => set_stage(state, Stage::Testing),
        WorkerEvent::TestFinished { id, passed } => test_finished(state, id, passed),
        WorkerEvent::Finished { suite, preview } => {
            state.run = None;
            state.set_results(*suite);
            if let Some(preview) = preview {
                state.assessment = Some(Assessment {
                    attempt: *preview,
                    recorded: false,
                });
            }
            summarise_run(state);
            return start_pending(state);
        }
        WorkerEvent::Scored { suite, attempt } => {
            state.run = None;
            state.set_results(*suite);
            let text = format!(
                "attempt {} recorded: reward {:.3}{}",
                attempt.number,
                attempt.reward.total,
                if attempt.tampered.is_empty() {
                    String::new()
                } else {
                    " — TAMPERED: protected files changed (`mediaflow restore`)".to_owned()
                }
            );
            let tone = if attempt.tampered.is_empty() && attempt.regressions.is_empty() {
                Tone::Good
            } else {
                Tone::Bad
            };
            state.attempts.push((*attempt).clone());
            state.assessment = Some(Assessment {
                attempt: *attempt,
                recorded: true,
            });
            notify(state, tone, &text);
            return start_pending(state);
        }
        WorkerEvent::Cancelled => {
            state.run = None;
            notify(
                state,
                Tone::Info,
                "run stopped; the results shown are the earlier ones",
            );
            return start_pending(state);
        }
        WorkerEvent::Hints { test, hints } => {
            if hints.is_empty() {
                notify(
                    state,
                    Tone::Info,
                    "no hint for this test: it fails because of something else that fails",
                );
            } else {
                state.hints.entry(test).or_default().extend(hints);
            }
        }
        WorkerEvent::Failed(message) => {
            state.run = None;
            notify(state, Tone::Bad, &message);
        }
        WorkerEvent::WatchFailed(message) => {
            state.watching = false;
            notify(state, Tone::Bad, &message);
        }
    }
    Vec::new()
}

fn set_stage(state: &mut Dashboard, stage: Stage) {
    if let Some(run) = &mut state.run {
        run.stage = stage;
    }
}

fn test_finished(state: &mut Dashboard, id: TestId, passed: bool) {
    let Some(category) = state
        .categories
        .iter()
        .find(|c| c.binary == id.binary())
        .map(|c| c.name.clone())
    else {
        return;
    };
    let Some(run) = &mut state.run else {
        return;
    };
    run.stage = Stage::Testing;
    if let Some(progress) = run.categories.iter_mut().find(|p| p.name == category) {
        progress.done += 1;
        progress.failed += usize::from(!passed);
    }
    run.finished.insert(id, passed);
}

fn summarise_run(state: &mut Dashboard) {
    let Some(suite) = &state.suite else {
        return;
    };
    if !suite.build_errors().is_empty() {
        notify(
            state,
            Tone::Bad,
            "the code does not compile: the detail panel shows the compiler's errors",
        );
        return;
    }
    let passed: usize = suite.categories.iter().map(|c| c.passed()).sum();
    let total: usize = suite.categories.iter().map(|c| c.total()).sum();
    let flips = &state.flips;
    let (tone, change) = match (flips.fixed.len(), flips.broke.len()) {
        (0, 0) => (Tone::Info, "no test changed".to_owned()),
        (fixed, 0) => (Tone::Good, format!("{fixed} now pass")),
        (0, broke) => (Tone::Bad, format!("{broke} now fail")),
        (fixed, broke) => (Tone::Bad, format!("{fixed} now pass, {broke} now fail")),
    };
    let text = format!("{passed}/{total} pass — {change}");
    notify(state, tone, &text);
}

fn start_pending(state: &mut Dashboard) -> Vec<Effect> {
    match state.pending.take() {
        Some(run) if !state.quitting => request(state, run),
        _ => Vec::new(),
    }
}

fn notify(state: &mut Dashboard, tone: Tone, text: &str) {
    state.notice = Some(Notice {
        tone,
        text: text.to_owned(),
    });
}
