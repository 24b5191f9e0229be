//! The entry point and what keys and reports share: starting (or queueing) runs and
//! the status line.

use super::super::action::{Action, Effect};
use super::super::model::{Dashboard, Notice, RunKind, RunProgress, RunRequest, Tone};
use super::keys::on_key;
use super::reports::{on_files_changed, on_worker};

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
pub(super) fn run_all(state: &Dashboard, fresh: bool) -> RunRequest {
    RunRequest {
        kind: RunKind::All,
        categories: state.categories.iter().map(|c| c.name.clone()).collect(),
        first: Vec::new(),
        fresh,
    }
}

/// Starts `run`, or queues it behind the one going on (replacing any queued one).
pub(super) fn request(state: &mut Dashboard, run: RunRequest) -> Vec<Effect> {
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
    state.run = Some(RunProgress::new(run.clone(), state.now));
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
pub(super) fn start_pending(state: &mut Dashboard) -> Vec<Effect> {
    match state.pending.take() {
        Some(run) if !state.quitting => request(state, run),
        _ => Vec::new(),
    }
}
pub(super) fn notify(state: &mut Dashboard, tone: Tone, text: &str) {
    state.notice = Some(Notice {
        tone,
        text: text.to_owned(),
    });
}
