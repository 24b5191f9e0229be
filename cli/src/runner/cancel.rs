//! Stopping a build or run from another thread: the dashboard's "stop" key and quitting
//! in the middle of a run. The runner's process tree gets a process group of its own,
//! and cancelling sends that whole group SIGTERM (cargo, nextest and the tests), which
//! nextest answers by stopping its tests and exiting.

use std::sync::{Arc, Mutex, PoisonError};

/// A handle that stops the run it is given to; clones share the same run.
#[derive(Debug, Clone, Default)]
pub struct CancelToken {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Debug, Default)]
struct Inner {
    cancelled: bool,
    /// The process group of the command running now, if any.
    group: Option<i32>,
}

impl CancelToken {
    /// A token no one has cancelled yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stops the run: the command running now (and any started later with this token)
    /// gets SIGTERM.
    pub fn cancel(&self) {
        let mut inner = self.lock();
        inner.cancelled = true;
        if let Some(group) = inner.group {
            terminate(group);
        }
    }

    /// Whether [`cancel`](Self::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.lock().cancelled
    }

    /// Records the process group led by `pid` as the one to stop, until the returned
    /// guard drops; a token already cancelled stops it at once.
    pub(super) fn register(&self, pid: u32) -> Registered<'_> {
        let group = i32::try_from(pid).ok();
        let mut inner = self.lock();
        inner.group = group;
        if inner.cancelled
            && let Some(group) = group
        {
            terminate(group);
        }
        Registered { token: self }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Forgets the process group when the command has ended (its id may be reused).
#[derive(Debug)]
pub(super) struct Registered<'a> {
    token: &'a CancelToken,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.token.lock().group = None;
    }
}

fn terminate(group: i32) {
    use rustix::process::{Pid, Signal, kill_process_group};
    // A group that already exited fails with ESRCH: already stopped, nothing to do.
    if let Some(pid) = Pid::from_raw(group) {
        let _ = kill_process_group(pid, Signal::TERM);
    }
}
