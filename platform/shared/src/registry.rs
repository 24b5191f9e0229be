//! Service discovery: the registry contract, the in-memory registry, the Consul
//! adapter, a round-robin client, the startup readiness gate and the heartbeat worker.

mod api;
mod consul;
mod heartbeat;
mod memory;
mod readiness;
mod round_robin;

pub use api::{RegistryError, ServiceInstance, ServiceRegistry};
pub use consul::{CONSUL_URL_VAR, ConsulRegistry, ConsulSettings};
pub use heartbeat::{Heartbeat, HeartbeatOutcome};
pub use memory::MemoryRegistry;
pub use readiness::wait_until_registered;
pub use round_robin::RoundRobin;
