//! Idempotency keys of charging requests: the key a client sends, and the
//! fingerprint of the request it was first used with, so a reuse with another
//! body or on another endpoint is recognised and refused.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use super::DomainError;

/// The HTTP header carrying the key.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";

/// A client-chosen key naming one logical request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// Accepts 1–255 printable ASCII characters (no spaces or control characters),
    /// surrounding whitespace trimmed.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let text = text.trim();
        let valid =
            !text.is_empty() && text.len() <= 255 && text.bytes().all(|b| b.is_ascii_graphic());
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(DomainError::InvalidIdempotencyKey)
        }
    }

    /// The key text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// SHA-256 of what a request asks for: method, path and the body in canonical
/// form (keys sorted, no whitespace), so formatting differences do not matter but
/// any change of meaning does.
pub fn fingerprint(method: &str, path: &str, body: &serde_json::Value) -> String {
    let mut hasher = Sha256::new();
    hasher.update(method.to_ascii_uppercase().as_bytes());
    hasher.update(b"\n");
    hasher.update(path.as_bytes());
    hasher.update(b"\n");
    let mut canonical = String::new();
    write_canonical(body, &mut canonical);
    hasher.update(canonical.as_bytes());
    hex(&hasher.finalize())
}

/// Writes `value` as JSON with object keys sorted at every level, whatever order
/// the map type keeps them in.
fn write_canonical(value: &serde_json::Value, out: &mut String) {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (index, (key, item)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
        serde_json::Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}
