//! AWS Signature Version 4, as S3 checks it on requests signed in the
//! `Authorization` header with the payload hashed in `x-amz-content-sha256`.
//!
//! Pure functions over what a request says (method, encoded path, query, headers,
//! payload hash) and a timestamp, so the published AWS examples can be checked
//! exactly; the store supplies the time.

use std::fmt;
use std::fmt::Write as _;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// The algorithm named in the `Authorization` header and the string to sign.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The service name S3 signs under.
pub const SERVICE: &str = "s3";
/// SHA-256 of the empty payload (GET, HEAD, DELETE).
pub const EMPTY_PAYLOAD_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Lowercase hex SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        // Writing to a String cannot fail.
        let _ = write!(text, "{byte:02x}");
    }
    text
}

fn hmac(key: &[u8], data: &str) -> Vec<u8> {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// S3's URI encoding: every byte but `A-Z a-z 0-9 - _ . ~` as `%XX` (uppercase);
/// `/` kept when `keep_slash` (object paths), encoded otherwise (query values).
pub fn uri_encode(text: &str, keep_slash: bool) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        let unreserved = byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~');
        if unreserved || (keep_slash && byte == b'/') {
            encoded.push(char::from(byte));
        } else {
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    encoded
}

/// What of a request is signed.
#[derive(Debug, Clone, Copy)]
pub struct SigningInput<'a> {
    /// `GET`, `PUT`, …
    pub method: &'a str,
    /// The path exactly as sent, already URI-encoded (see [`uri_encode`]).
    pub path: &'a str,
    /// Query parameters, not encoded; sorted here.
    pub query: &'a [(&'a str, &'a str)],
    /// Every header to sign (at least `host` and `x-amz-date`), any case and order.
    pub headers: &'a [(&'a str, &'a str)],
    /// Lowercase hex SHA-256 of the body, also sent as `x-amz-content-sha256`.
    pub payload_hash: &'a str,
}

impl SigningInput<'_> {
    /// The query string as sent and as signed: encoded pairs sorted by name, then value.
    pub fn canonical_query(&self) -> String {
        let mut pairs: Vec<(String, String)> = self
            .query
            .iter()
            .map(|(name, value)| (uri_encode(name, false), uri_encode(value, false)))
            .collect();
        pairs.sort();
        pairs
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Lowercased header names and trimmed values, sorted by name.
    fn canonical_headers(&self) -> Vec<(String, String)> {
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
                (name.to_ascii_lowercase(), value)
            })
            .collect();
        headers.sort();
        headers
    }

    /// `host;range;x-amz-date`: the names of the signed headers.
    pub fn signed_headers(&self) -> String {
        self.canonical_headers()
            .into_iter()
            .map(|(name, _)| name)
            .collect::<Vec<_>>()
            .join(";")
    }

    /// The canonical request: method, path, query, headers, signed header names
    /// and payload hash, one per line.
    pub fn canonical_request(&self) -> String {
        let headers: String = self
            .canonical_headers()
            .iter()
            .map(|(name, value)| format!("{name}:{value}\n"))
            .collect();
        format!(
            "{}\n{}\n{}\n{headers}\n{}\n{}",
            self.method,
            self.path,
            self.canonical_query(),
            self.signed_headers(),
            self.payload_hash
        )
    }
}

/// Signs requests for one access key in one region.
#[derive(Clone)]
pub struct Signer {
    access_key: String,
    secret_key: String,
    region: String,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("access_key", &self.access_key)
            .field("secret_key", &"***")
            .field("region", &self.region)
            .finish()
    }
}

impl Signer {
    /// A signer for `access_key`/`secret_key` in `region`.
    pub fn new(access_key: &str, secret_key: &str, region: &str) -> Self {
        Self {
            access_key: access_key.to_owned(),
            secret_key: secret_key.to_owned(),
            region: region.to_owned(),
        }
    }

    /// The region requests are signed for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// `20130524/us-east-1/s3/aws4_request` for the day of `amz_date`.
    fn scope(&self, amz_date: &str) -> String {
        let day = amz_date.get(..8).unwrap_or(amz_date);
        format!("{day}/{}/{SERVICE}/aws4_request", self.region)
    }

    /// The string to sign at `amz_date` (`YYYYMMDDTHHMMSSZ`).
    pub fn string_to_sign(&self, amz_date: &str, input: &SigningInput<'_>) -> String {
        format!(
            "{ALGORITHM}\n{amz_date}\n{}\n{}",
            self.scope(amz_date),
            sha256_hex(input.canonical_request().as_bytes())
        )
    }

    /// The hex signature at `amz_date`.
    pub fn signature(&self, amz_date: &str, input: &SigningInput<'_>) -> String {
        let day = amz_date.get(..8).unwrap_or(amz_date);
        let key = [self.region.as_str(), SERVICE, "aws4_request"].iter().fold(
            hmac(format!("AWS4{}", self.secret_key).as_bytes(), day),
            |key, part| hmac(&key, part),
        );
        hex(&hmac(&key, &self.string_to_sign(amz_date, input)))
    }

    /// The `Authorization` header value at `amz_date`.
    pub fn authorization(&self, amz_date: &str, input: &SigningInput<'_>) -> String {
        format!(
            "{ALGORITHM} Credential={}/{},SignedHeaders={},Signature={}",
            self.access_key,
            self.scope(amz_date),
            input.signed_headers(),
            self.signature(amz_date, input)
        )
    }
}
