//! The dashboard's worker: runs, scores and hints happen on threads of their own and
//! report back as [`Action::Worker`] over a channel, so the screen never waits for
//! cargo. One run at a time (`update` queues the rest); each gets a cancel token.

use std::path::Path;

use chrono::Utc;
use tokio::sync::mpsc::UnboundedSender;

use crate::play::PlayerWorkspace;
use crate::play::attempts;
use crate::play::error::PlayError;
use crate::play::hints;
use crate::play::infra_choice::TestInfra;
use crate::play::repo::WorkspaceRepo;
use crate::play::suite::{self, Reuse, RunOptions, SuiteEvent};
use crate::runner::{CancelToken, RunError, TestId};

use super::action::{Action, WorkerEvent};
use super::model::{RunKind, RunRequest};

/// Starts background work for the dashboard and stops it.
#[derive(Debug)]
pub struct Worker {
    workspace: PlayerWorkspace,
    infra: TestInfra,
    sender: UnboundedSender<Action>,
    cancel: Option<CancelToken>,
}

impl Worker {
    /// A worker for `workspace` running its tests on `infra`, once it is given the
    /// channel it reports to.
    pub fn new(
        workspace: PlayerWorkspace,
        infra: TestInfra,
    ) -> impl FnOnce(UnboundedSender<Action>) -> Self {
        move |sender| Self {
            workspace,
            infra,
            sender,
            cancel: None,
        }
    }

    /// Starts `request` on a thread of its own.
    pub fn run(&mut self, request: RunRequest) {
        let token = CancelToken::new();
        self.cancel = Some(token.clone());
        let workspace = self.workspace.clone();
        let infra = self.infra.clone();
        let sender = self.sender.clone();
        std::thread::spawn(move || {
            let send = |event: WorkerEvent| {
                // The dashboard is gone when this fails; nothing is left to tell.
                let _ = sender.send(Action::Worker(event));
            };
            let event = match execute(&workspace, infra, &request, token, &send) {
                Ok(event) => event,
                Err(PlayError::Run(RunError::Cancelled)) => WorkerEvent::Cancelled,
                Err(error) => WorkerEvent::Failed(error.to_string()),
            };
            send(event);
        });
    }

    /// Stops the run going on, if any.
    pub fn cancel(&mut self) {
        if let Some(token) = self.cancel.take() {
            token.cancel();
        }
    }

    /// Fetches (and records as shown) the next hint for `test`.
    pub fn hint(&self, test: TestId) {
        let workspace = self.workspace.clone();
        let sender = self.sender.clone();
        std::thread::spawn(move || {
            let event = match hints::next(&workspace, &test.to_string()) {
                Ok(hints) => WorkerEvent::Hints { test, hints },
                Err(error) => WorkerEvent::Failed(error.to_string()),
            };
            let _ = sender.send(Action::Worker(event));
        });
    }

    /// The workspace's root.
    pub fn root(&self) -> &Path {
        self.workspace.root()
    }
}

/// Does one run (or score) and returns the event that ends it.
fn execute(
    workspace: &PlayerWorkspace,
    infra: TestInfra,
    request: &RunRequest,
    token: CancelToken,
    send: &dyn Fn(WorkerEvent),
) -> Result<WorkerEvent, PlayError> {
    let repo = WorkspaceRepo::open(workspace.root())?;
    let categories = workspace.select_categories(&request.categories)?;
    let options = RunOptions {
        infra,
        reuse: if request.fresh {
            Reuse::Fresh
        } else {
            Reuse::Cached
        },
        first: request.first.clone(),
        cancel: Some(token),
    };
    let mut events = |event: SuiteEvent<'_>| match event {
        SuiteEvent::Cached(names) => send(WorkerEvent::Cached(names.to_vec())),
        SuiteEvent::Listing => send(WorkerEvent::Listing),
        SuiteEvent::Running(expected) => send(WorkerEvent::Started {
            request: request.clone(),
            expected: expected.to_vec(),
        }),
        SuiteEvent::Output(line) => {
            let line = line.trim();
            if !line.is_empty() && !line.starts_with('{') {
                send(WorkerEvent::Building(line.to_owned()));
            }
        }
        SuiteEvent::TestFinished { id, passed } => {
            send(WorkerEvent::TestFinished { id, passed });
        }
    };
    if request.kind == RunKind::Score {
        let scored = attempts::score_with(workspace, &repo, Utc::now(), &options, &mut events)?;
        return Ok(WorkerEvent::Scored {
            suite: Box::new(scored.suite),
            attempt: Box::new(scored.attempt),
        });
    }
    let run = suite::run(workspace, &repo, &categories, &options, &mut events)?;
    // The reward is only known with every category's results for this code.
    let preview = if run.categories.len() == workspace.categories().len() {
        Some(Box::new(attempts::assess(
            workspace,
            &repo,
            &run,
            Utc::now(),
        )?))
    } else {
        None
    };
    Ok(WorkerEvent::Finished {
        suite: Box::new(run),
        preview,
    })
}
