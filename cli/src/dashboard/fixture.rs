//! Realistic dashboard states for the screens' snapshot tests and the frame benchmark:
//! the real catalog (categories, weights, reward spec, the tests its bugs break and the
//! scenarios they relate to), the real scenario texts, suites of N tests with F
//! failures of mixed kinds, and attempts scored with the real reward function. Results
//! go in through [`update`] so the states are the ones the real update path makes.
//!
//! # Layout
//! - [`setup`]: the catalog, the scenarios, "now", a dashboard fed with results.
//! - [`suite`]: [`Universe`]: the tests of a suite and suites with F failures.
//! - [`attempts`]: attempts scored with the real reward function, histories.

pub mod attempts;
pub mod setup;
pub mod suite;

pub use attempts::{attempt, history};
pub use setup::{catalog, dashboard, finish, init, now};
pub use suite::Universe;
