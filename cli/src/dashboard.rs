//! The interactive dashboard (`mediaflow` in a workspace): state, actions and a pure
//! `update`, screens drawn with ratatui from the state alone, and the loop that joins
//! them to the terminal, the background worker and the file watcher.
//!
//! # Layout
//! - [`model`]: the state the screens show.
//! - [`action`]: inputs (keys, ticks, file changes, worker reports) and effects.
//! - [`update`]: state × action → state + effects; no IO.
//! - [`keys`]: the key table shared by the help overlay and the footer.
//! - [`view`]: drawing every screen from the state.

pub mod action;
pub mod keys;
pub mod model;
pub mod update;
pub mod view;

pub use action::{Action, Effect, WorkerEvent};
pub use model::{Dashboard, DashboardInit};
pub use update::update;
