//! Rules every object store applies the same way: the etag of some content and
//! the validation of a requested byte range.

use std::fmt::Write as _;
use std::ops::Range;

use sha2::{Digest, Sha256};

use super::api::{ObjectError, ObjectKey, ObjectMeta};

/// The etag of `data`: lowercase hex SHA-256, so equal content has equal etags
/// across stores and restarts.
pub fn etag(data: &[u8]) -> String {
    let digest = Sha256::digest(data);
    let mut hex = String::with_capacity(64);
    for byte in digest.iter() {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// The metadata of `data` stored under `key`: its size and etag come from the
/// content itself, so every store describes the same bytes the same way.
pub fn describe(key: &ObjectKey, data: &[u8], content_type: String) -> ObjectMeta {
    ObjectMeta {
        key: key.clone(),
        size: data.len() as u64,
        content_type,
        etag: etag(data),
    }
}

/// Accepts a non-empty `start..end` inside an object of `size` bytes; anything
/// else is [`ObjectError::RangeNotSatisfiable`] (HTTP 416).
pub fn check_range(key: &ObjectKey, range: &Range<u64>, size: u64) -> Result<(), ObjectError> {
    if range.start < range.end && range.end <= size {
        Ok(())
    } else {
        Err(ObjectError::RangeNotSatisfiable {
            key: key.as_str().to_owned(),
            start: range.start,
            end: range.end,
            size,
        })
    }
}
