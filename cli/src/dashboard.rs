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
//! - [`load`]: the starting data, read from a workspace.
//! - [`worker`]: runs, scores and hints on background threads.
//! - [`watch`]: debounced file watching of `platform/`.
//! - [`terminal`]: the loop joining terminal, worker, watcher and `update`.
//! - [`markdown`]: the scenarios' Markdown as styled, wrapped lines.
//! - [`fixture`]: realistic states for the snapshot tests and the frame benchmark.

pub mod action;
pub mod fixture;
pub mod keys;
pub mod load;
pub mod markdown;
pub mod model;
pub mod terminal;
pub mod update;
pub mod view;
pub mod watch;
pub mod worker;

pub use action::{Action, Effect, WorkerEvent};
pub use model::{Dashboard, DashboardInit};
pub use update::update;
