//! `update`: the one place the dashboard's state changes. Keys, ticks, file changes and
//! the worker's reports come in as `Action`s; what must happen outside (start a run,
//! cancel it, fetch a hint, watch files, quit) goes out as `Effect`s. No IO here, so
//! every behaviour is tested by feeding actions.
//!
//! - `dispatch`: [`update`] itself, [`open`], starting or queueing runs, the status line.
//! - `keys`: what each key does.
//! - `reports`: the worker's reports and saved files.

mod dispatch;
mod keys;
mod reports;

pub use dispatch::{open, update};
