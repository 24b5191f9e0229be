//! Fault injection for chaos tests, as decorators over the backend traits so the
//! same faults wrap embedded and real backends alike.

mod bus;
mod clock;
mod network;
mod store;

pub use bus::{BusFault, ChaosBus, ChaosBusStats};
pub use clock::SkewedClock;
pub use network::{NetworkFaults, Partitioned};
pub use store::{ChaosStore, ChaosStoreStats};
