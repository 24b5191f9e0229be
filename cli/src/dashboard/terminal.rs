//! The dashboard's loop: the terminal (raw mode, alternate screen — always restored,
//! on quit, on error and on panic), keys and resizes from crossterm's event stream,
//! reports from the worker and the watcher over one channel, and a tick. Each wake-up
//! drains everything waiting before drawing once, so a burst of test results costs one
//! frame.

use std::time::Duration;

use chrono::Utc;
use crossterm::event::{Event, EventStream};
use futures_util::StreamExt;
use ratatui::DefaultTerminal;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use super::action::{Action, Effect, WorkerEvent};
use super::model::{Dashboard, DashboardInit};
use super::update::{open, update};
use super::view;
use super::watch::{self, Watch};
use super::worker::Worker;
use crate::play::PlayerWorkspace;
use crate::play::infra_choice::TestInfra;

/// How often the clock and spinner move.
const TICK: Duration = Duration::from_millis(250);

/// Opens the dashboard on the terminal and runs it until the player quits.
pub async fn run(
    workspace: PlayerWorkspace,
    infra: TestInfra,
    init: DashboardInit,
) -> std::io::Result<()> {
    // Installs a panic hook that restores the terminal before the panic is reported.
    let mut terminal = ratatui::try_init()?;
    let result = event_loop(&mut terminal, Worker::new(workspace, infra), init).await;
    ratatui::try_restore()?;
    result
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    worker: impl FnOnce(UnboundedSender<Action>) -> Worker,
    init: DashboardInit,
) -> std::io::Result<()> {
    let (sender, mut receiver) = mpsc::unbounded_channel();
    let mut state = Dashboard::new(init);
    let mut effects = Effects {
        worker: worker(sender.clone()),
        sender,
        watch: None,
    };
    let opening = open(&mut state);
    effects.apply(&mut state, opening);

    let mut keys = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    loop {
        terminal.draw(|frame| view::draw(frame, &state))?;
        let action = tokio::select! {
            event = keys.next() => match event {
                Some(Ok(Event::Key(key))) => Some(Action::Key(key)),
                Some(Ok(_)) => None, // a resize or focus change: just redraw
                Some(Err(error)) => return Err(error),
                None => Some(quit_key()),
            },
            Some(action) = receiver.recv() => Some(action),
            _ = tick.tick() => Some(Action::Tick(Utc::now())),
            _ = terminate.recv() => Some(quit_key()),
            _ = hangup.recv() => Some(quit_key()),
            _ = interrupt.recv() => Some(quit_key()),
        };
        let mut pending: Vec<Action> = action.into_iter().collect();
        drain(&mut receiver, &mut pending);
        for action in pending {
            let out = update(&mut state, action);
            effects.apply(&mut state, out);
        }
        if state.quitting {
            return Ok(());
        }
    }
}

/// Ctrl-C as a key: the same way out as the player's own.
fn quit_key() -> Action {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL))
}

fn drain(receiver: &mut UnboundedReceiver<Action>, pending: &mut Vec<Action>) {
    while let Ok(action) = receiver.try_recv() {
        pending.push(action);
    }
}

/// Carries out effects: the only place the dashboard touches the outside.
struct Effects {
    worker: Worker,
    sender: UnboundedSender<Action>,
    watch: Option<Watch>,
}

impl Effects {
    fn apply(&mut self, state: &mut Dashboard, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Run(request) => self.worker.run(request),
                Effect::Cancel => self.worker.cancel(),
                Effect::Hint(test) => self.worker.hint(test),
                Effect::Watch(true) => {
                    let sender = self.sender.clone();
                    match watch::start(self.worker.root(), move |paths| {
                        let _ = sender.send(Action::FilesChanged(paths));
                    }) {
                        Ok(watch) => self.watch = Some(watch),
                        Err(error) => {
                            let more = update(
                                state,
                                Action::Worker(WorkerEvent::WatchFailed(error.to_string())),
                            );
                            self.apply(state, more);
                        }
                    }
                }
                Effect::Watch(false) => self.watch = None,
                Effect::Quit => {}
            }
        }
    }
}
