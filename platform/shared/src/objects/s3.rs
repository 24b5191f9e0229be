//! The object store on an S3-compatible server (AWS S3, MinIO, moto): path-style
//! requests over plain HTTP, signed with a hand-written AWS Signature V4.

mod client;
mod settings;
pub mod sigv4;
mod store;
mod xml;

pub use settings::{S3_ENDPOINT_VAR, S3_URL_VAR, S3Settings};
pub use store::S3ObjectStore;
