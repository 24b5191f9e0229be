//! What changes the dashboard (`Action`: a key, a tick, a report from the worker) and
//! what the dashboard asks the outside world to do (`Effect`). `update` turns one into
//! the other without doing any IO itself.

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use crate::play::attempts::Attempt;
use crate::play::hints::Hint;
use crate::play::suite::SuiteRun;
use crate::runner::TestId;

use super::model::RunRequest;

/// One input to [`super::update`].
#[derive(Debug, Clone)]
pub enum Action {
    /// A key was pressed.
    Key(KeyEvent),
    /// Time passed (redraws elapsed times and spinners).
    Tick(DateTime<Utc>),
    /// The worker reports.
    Worker(WorkerEvent),
    /// Files under `platform/` were saved (watch mode; already debounced).
    FilesChanged(Vec<String>),
}

/// What the worker reports while it builds, runs, scores or fetches a hint.
#[derive(Debug, Clone)]
pub enum WorkerEvent {
    /// It took up a run; the expected test count per category (0 when unknown).
    Started {
        /// The run.
        request: RunRequest,
        /// Category name → expected tests.
        expected: Vec<(String, usize)>,
    },
    /// The categories asked for were answered from the cache.
    Cached(Vec<String>),
    /// Listing the tests (compiles the test binaries).
    Listing,
    /// A line of cargo's output while compiling.
    Building(String),
    /// The tests started running.
    Testing,
    /// One test finished.
    TestFinished {
        /// The test.
        id: TestId,
        /// Whether it passed.
        passed: bool,
    },
    /// The run ended with these results and the reward they would get.
    Finished {
        /// The results.
        suite: Box<SuiteRun>,
        /// What `score` would record now (not recorded).
        preview: Option<Box<Attempt>>,
    },
    /// An attempt was scored and recorded.
    Scored {
        /// The results it was scored on.
        suite: Box<SuiteRun>,
        /// The record.
        attempt: Box<Attempt>,
    },
    /// The run was cancelled.
    Cancelled,
    /// The next hints for a test (empty: no planted bug is known to break it).
    Hints {
        /// The test.
        test: TestId,
        /// The hints shown.
        hints: Vec<Hint>,
    },
    /// Something failed; the message says what and what to do.
    Failed(String),
    /// Watching could not start (or stopped); the message says why.
    WatchFailed(String),
}

/// What `update` asks the outside world to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Start a run.
    Run(RunRequest),
    /// Stop the run going on.
    Cancel,
    /// Show the next hint for a test.
    Hint(TestId),
    /// Start or stop watching `platform/`.
    Watch(bool),
    /// Leave the dashboard.
    Quit,
}
