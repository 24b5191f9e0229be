//! The Docker engine through bollard: finding and reaching it, and the few operations
//! `up`, `down`, `status` and `logs` need, with errors that say what to do next.

mod client;
mod connect;
mod containers;
mod error;
mod images;
mod networks;

pub use client::Engine;
pub use connect::{Endpoint, EngineEnv, candidates, connect};
pub use containers::{LogChunk, LogChunks, LogStream};
pub use error::{EngineError, is_not_found};
pub use images::LayerProgress;
