//! Object storage: the contract with validated keys, an in-memory store and a
//! filesystem store.

mod api;

pub use api::{ObjectError, ObjectKey, ObjectMeta, ObjectStore};
