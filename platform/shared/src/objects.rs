//! Object storage: the contract with validated keys, an in-memory store and a
//! filesystem store.

mod api;
mod content;
mod fs;
mod memory;

pub use api::{ObjectError, ObjectKey, ObjectMeta, ObjectStore};
pub use content::{check_range, etag};
pub use fs::FsObjectStore;
pub use memory::MemoryObjectStore;
