//! The worker's reports (a run's stages, each test's end, results, scores, hints,
//! failures) and saved files in watch mode.

use crate::runner::TestId;

use super::super::action::{Effect, WorkerEvent};
use super::super::model::{
    Assessment, CategoryProgress, Dashboard, RunKind, RunProgress, RunRequest, Stage, Tone,
};
use super::dispatch::{notify, request, start_pending};

pub(super) fn on_files_changed(state: &mut Dashboard, paths: Vec<String>) -> Vec<Effect> {
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
pub(super) fn on_worker(state: &mut Dashboard, event: WorkerEvent) -> Vec<Effect> {
    match event {
        WorkerEvent::Started { request, expected } => {
            let now = state.now;
            let run = state
                .run
                .get_or_insert_with(|| RunProgress::new(request.clone(), now));
            run.request = request;
            run.categories = expected
                .into_iter()
                .map(|(name, expected)| CategoryProgress::expecting(name, expected))
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
