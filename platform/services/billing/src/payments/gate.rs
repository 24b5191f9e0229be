//! A door requests pass on their way to the simulated provider. Closed, it holds
//! every request until it opens again, as a PSP that stops answering for a while
//! would; tests use it to hold one request at the provider while another arrives.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::watch;

/// Open by default; [`Gate::close`] holds requests, [`Gate::open`] lets them go.
#[derive(Debug)]
pub struct Gate {
    /// `true` while requests pass.
    open: watch::Sender<bool>,
    /// Requests waiting now.
    waiting: AtomicUsize,
}

impl Default for Gate {
    fn default() -> Self {
        Self {
            open: watch::Sender::new(true),
            waiting: AtomicUsize::new(0),
        }
    }
}

impl Gate {
    /// Holds requests arriving from now on.
    pub fn close(&self) {
        self.open.send_replace(false);
    }

    /// Lets held and later requests through.
    pub fn open(&self) {
        self.open.send_replace(true);
    }

    /// Requests held right now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Passes the gate, waiting while it is closed; then gives the scheduler a
    /// turn, as a network hop would, so concurrent requests interleave.
    pub async fn pass(&self) {
        let mut open = self.open.subscribe();
        if !*open.borrow_and_update() {
            self.waiting.fetch_add(1, Ordering::SeqCst);
            // The sender lives as long as `self`, so waiting cannot fail.
            let _ = open.wait_for(|open| *open).await;
            self.waiting.fetch_sub(1, Ordering::SeqCst);
        }
        tokio::task::yield_now().await;
    }
}
