//! Harness shared by the MediaFlow challenge suites: fixtures for time, the
//! embedded infrastructure and small helpers the category binaries use.
//!
//! # Layout
//! - [`support`]: clocks, infrastructure fixtures, bus helpers.

pub mod support;
