//! Drawing the dashboard from its state: header, screens, help overlay and footer.
//! Everything here reads `&Dashboard` only and does no IO.
//!
//! # Layout
//! - [`frame`]: the whole frame, and the too-small message.
//! - [`header`], [`footer`]: standing, run, tabs; notice and keys.
//! - [`tests_screen`]: [`categories`], [`failures`] and [`detail`] (with [`diff`]).
//! - [`scenarios`], [`reward`] (with [`reward_terms`]): the other screens; [`help`]: the key overlay.
//! - [`theme`], [`panel`], [`text`]: styles, bordered panels, text fitting.

pub mod categories;
pub mod detail;
pub mod diff;
pub mod failures;
pub mod footer;
pub mod frame;
pub mod header;
pub mod help;
pub mod panel;
pub mod reward;
pub mod reward_terms;
pub mod scenarios;
pub mod tests_screen;
pub mod text;
pub mod theme;

pub use frame::{MIN_HEIGHT, MIN_WIDTH, draw};
pub use theme::Theme;
