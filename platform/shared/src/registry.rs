//! Service discovery: the registry contract, the in-memory registry, a round-robin
//! client, the startup readiness gate and the heartbeat worker.

mod api;

pub use api::{RegistryError, ServiceInstance, ServiceRegistry};
