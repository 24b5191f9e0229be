//! Keys: what each key does on each screen and panel (the table the player sees is
//! `super::super::keys::KEYS`).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::super::action::Effect;
use super::super::model::{Dashboard, Focus, RunKind, RunRequest, Screen, Tone};
use super::dispatch::{notify, request, run_all};

/// Lines a page key moves.
const PAGE: usize = 10;
pub(super) fn on_key(state: &mut Dashboard, key: KeyEvent) -> Vec<Effect> {
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
