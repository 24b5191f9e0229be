//! Helpers the suites share: fixtures (clock, infrastructure, signing key,
//! tokens), HTTP replies, an event probe, database overrides, a counting store, a
//! store that holds transactions, and one harness per service plus the whole platform.
//!
//! # Layout
//! - [`fixtures`]: the one clock, infrastructure, key and token set every suite uses.
//! - [`http`], [`events`], [`databases`], [`counting`], [`gated`], [`doubles`]:
//!   service-agnostic tools; [`consul_double`], an API double of a Consul agent.
//! - [`auth`], [`billing`], [`catalog`], [`gateway`]: one service on an ephemeral port.
//! - [`platform`]: any set of services in one process.
//! - [`servers`]: the infrastructure of a service test, embedded or on real servers.

pub mod auth;
pub mod billing;
pub mod catalog;
pub mod consul_double;
pub mod counting;
pub mod databases;
pub mod doubles;
pub mod events;
pub mod fixtures;
pub mod gated;
pub mod gateway;
pub mod http;
pub mod platform;
pub mod servers;

// The clock and JWT fixtures stay reachable at `support::` too: the house rules
// and the primitive suites name them there.
pub use fixtures::{JwtFixture, jwt_fixture, manual_clock};
