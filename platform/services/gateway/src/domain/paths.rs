//! Mapping `/api/<service>/<rest>` to the upstream path `/<rest>`. The raw
//! (still percent-encoded) path is used, never a decoded one, and any segment that
//! would change meaning once an upstream or an HTTP library normalises it (`..`,
//! `%2e%2e`, an encoded `/`) is refused: otherwise a public route such as
//! `/api/catalog/videos/{id}` could be steered to another upstream path.

use std::fmt::Write as _;

use thiserror::Error;

/// The prefix of every proxied route.
pub const API_PREFIX: &str = "/api/";

/// Why a path cannot be forwarded.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PathError {
    /// Not under `/api/<service>`.
    #[error("path must look like /api/<service>/<path>")]
    NotApi,
    /// A `.` or `..` segment, plain or percent-encoded.
    #[error("path segments `.` and `..` are not allowed; send the resolved path")]
    DotSegment,
    /// An encoded separator, backslash or control character inside a segment.
    #[error("path segments may not contain encoded slashes, backslashes or control characters")]
    ForbiddenCharacter,
}

/// A request path split into the upstream's name and the path to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamTarget<'a> {
    /// The upstream service as written in the path (still to be checked against
    /// the known upstreams).
    pub service: &'a str,
    /// Path and query for the upstream, starting with `/`.
    pub path_and_query: String,
}

/// Splits a raw request path (`/api/catalog/videos/7`) and its query into the
/// upstream name and the upstream path (`/videos/7?…`), validating each segment.
pub fn upstream_target<'a>(
    raw_path: &'a str,
    query: Option<&str>,
) -> Result<UpstreamTarget<'a>, PathError> {
    let after = raw_path.strip_prefix(API_PREFIX).ok_or(PathError::NotApi)?;
    let (service, rest) = after.split_once('/').unwrap_or((after, ""));
    if service.is_empty() {
        return Err(PathError::NotApi);
    }
    for segment in rest.split('/') {
        check_segment(segment)?;
    }
    let mut path_and_query = format!("/{rest}");
    if let Some(query) = query.filter(|q| !q.is_empty()) {
        path_and_query.push('?');
        path_and_query.push_str(query);
    }
    Ok(UpstreamTarget {
        service,
        path_and_query,
    })
}

fn check_segment(raw: &str) -> Result<(), PathError> {
    let decoded = percent_decode(raw);
    if decoded == b"." || decoded == b".." {
        return Err(PathError::DotSegment);
    }
    if decoded
        .iter()
        .any(|b| matches!(b, b'/' | b'\\') || b.is_ascii_control())
    {
        return Err(PathError::ForbiddenCharacter);
    }
    Ok(())
}

/// Decodes `%XX` escapes; a malformed escape is kept literally.
pub fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .filter(|hex| hex.iter().all(u8::is_ascii_hexdigit))
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

/// Percent-encodes a value for use as one path segment: everything but RFC 3986
/// unreserved characters is escaped, so a user id can never add segments.
pub fn encode_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    if out == "." || out == ".." {
        return out.replace('.', "%2E");
    }
    out
}
