//! Object storage: the contract with validated keys, an in-memory store, a
//! filesystem store and an S3 store.

mod api;
mod content;
mod fs;
mod memory;
mod s3;

pub use api::{ObjectError, ObjectKey, ObjectMeta, ObjectStore};
pub use content::{check_range, etag};
pub use fs::FsObjectStore;
pub use memory::MemoryObjectStore;
pub use s3::{S3_ENDPOINT_VAR, S3_URL_VAR, S3ObjectStore, S3Settings, sigv4};
