//! The HTTP kit every service is built on: a host that serves a router on a given
//! listener with `/health` and `/ready`, registers in the registry with a TTL
//! heartbeat and deregisters on shutdown; request ids; JSON errors that leak no
//! internals; the bearer-token extractor; and the resilient upstream client used
//! for every service-to-service call.

mod auth;
mod client;
mod error;
mod request_id;
mod server;
mod standalone;

pub use auth::{Authenticated, BEARER_PREFIX};
pub use client::{
    UpstreamClient, UpstreamError, UpstreamPolicy, UpstreamRequest, UpstreamResponse,
};
pub use error::ApiError;
pub use request_id::{REQUEST_ID_HEADER, RequestId};
pub use server::{
    DatabaseReady, HeartbeatSettings, ReadyCheck, RunningService, ServiceError, ServiceSpec, start,
};
pub use standalone::{EXIT_SETUP_FAILED, Standalone};
