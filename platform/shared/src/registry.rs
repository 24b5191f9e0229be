//! Service discovery: the registry contract, the in-memory registry, a round-robin
//! client, the startup readiness gate and the heartbeat worker.

mod api;
mod heartbeat;
mod memory;
mod readiness;
mod round_robin;

pub use api::{RegistryError, ServiceInstance, ServiceRegistry};
pub use heartbeat::{Heartbeat, HeartbeatOutcome};
pub use memory::MemoryRegistry;
pub use readiness::wait_until_registered;
pub use round_robin::RoundRobin;
