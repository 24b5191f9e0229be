//! The dashboard's state: everything the screens show, owned in one place and changed
//! only by [`super::update`]. Nothing here does IO; the results, attempts and
//! scenarios arrive as data (from the worker, or from fixtures in tests).
//!
//! - `screen`: screens, panels, the status line, scenarios, categories, starting data.
//! - `run`: runs asked for and going on, flips, the reward of results.
//! - `failures`: the failures list.
//! - `state`: [`Dashboard`], the whole state.

mod failures;
mod run;
mod screen;
mod state;

pub use failures::{FailureList, FailureRow};
pub use run::{
    Assessment, CategoryProgress, Flips, RunKind, RunProgress, RunRequest, Stage, flips,
};
pub use screen::{CategoryInfo, DashboardInit, Focus, InfraLabel, Notice, Scenario, Screen, Tone};
pub use state::Dashboard;
