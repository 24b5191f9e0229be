//! The object storage contract (S3-shaped): validated keys, whole-object put/get,
//! byte ranges, prefix listing.

use std::fmt;
use std::ops::Range;

use async_trait::async_trait;
use thiserror::Error;

/// Errors of object storage.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ObjectError {
    /// The key is unsafe or malformed.
    #[error("invalid object key `{key}`: {reason}")]
    InvalidKey {
        /// The rejected key.
        key: String,
        /// Why.
        reason: &'static str,
    },
    /// No such object.
    #[error("object `{0}` does not exist")]
    NotFound(String),
    /// A byte range outside the object.
    #[error("range {start}..{end} is outside object `{key}` of {size} bytes")]
    RangeNotSatisfiable {
        /// Key.
        key: String,
        /// Range start.
        start: u64,
        /// Range end (exclusive).
        end: u64,
        /// Object size.
        size: u64,
    },
    /// IO or backend failure.
    #[error("object storage failed: {0}")]
    Backend(String),
    /// The server could not be reached or did not answer in time: transient, so
    /// worth retrying, unlike the other errors.
    #[error("object storage unavailable: {0}")]
    Unavailable(String),
}

/// A validated object key: relative, `/`-separated, no empty, `.` or `..` segments,
/// no backslashes or control characters, at most 1024 bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey(String);

impl ObjectKey {
    /// Validates a key.
    pub fn parse(key: &str) -> Result<Self, ObjectError> {
        let invalid = |reason| ObjectError::InvalidKey {
            key: key.to_owned(),
            reason,
        };
        if key.is_empty() {
            return Err(invalid("empty"));
        }
        if key.len() > 1024 {
            return Err(invalid("longer than 1024 bytes"));
        }
        if key.starts_with('/') {
            return Err(invalid("absolute"));
        }
        if key.chars().any(|c| c == '\\' || c.is_control()) {
            return Err(invalid("contains a backslash or control character"));
        }
        if key
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == "..")
        {
            return Err(invalid("contains an empty, `.` or `..` segment"));
        }
        Ok(Self(key.to_owned()))
    }

    /// The key text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Metadata of a stored object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    /// Key.
    pub key: ObjectKey,
    /// Size in bytes.
    pub size: u64,
    /// MIME type given at upload.
    pub content_type: String,
    /// Lowercase hex SHA-256 of the content.
    pub etag: String,
}

/// Object storage.
#[async_trait]
pub trait ObjectStore: Send + Sync + fmt::Debug {
    /// Stores (replaces) an object.
    async fn put(
        &self,
        key: &ObjectKey,
        data: Vec<u8>,
        content_type: &str,
    ) -> Result<ObjectMeta, ObjectError>;
    /// Reads a whole object.
    async fn get(&self, key: &ObjectKey) -> Result<(ObjectMeta, Vec<u8>), ObjectError>;
    /// Reads a byte range (`start..end`, end exclusive, within the object).
    async fn get_range(&self, key: &ObjectKey, range: Range<u64>) -> Result<Vec<u8>, ObjectError>;
    /// Metadata only; `None` when absent.
    async fn head(&self, key: &ObjectKey) -> Result<Option<ObjectMeta>, ObjectError>;
    /// Deletes; true when it existed.
    async fn delete(&self, key: &ObjectKey) -> Result<bool, ObjectError>;
    /// Objects whose key starts with `prefix`, ordered by key.
    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>, ObjectError>;
}
