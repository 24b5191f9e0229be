//! One signed S3 request over plain HTTP: path-style URL, SigV4 headers, bounded
//! by timeouts, and an answer read whole. Transport failures are
//! [`ObjectError::Unavailable`] naming the method and the URL (which never
//! carries the credentials).

use std::time::Duration;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::settings::S3Settings;
use super::sigv4::{EMPTY_PAYLOAD_SHA256, SigningInput, sha256_hex, uri_encode};
use super::xml::error_summary;
use crate::objects::ObjectError;

/// How long opening a connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Bound on one whole request, however steadily the bytes flow.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Bound on waiting for the server's next bytes (the answer's first ones
/// included): a server that stopped answering fails here, sooner than
/// [`REQUEST_TIMEOUT`], without cutting short a large transfer that progresses.
const IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// A request to send: the object (or the bucket when `key` is `None`), query
/// parameters, extra headers to sign and send, and the body (cheap to clone, so
/// a request can be sent again).
#[derive(Debug, Clone)]
pub(super) struct S3Request<'a> {
    pub method: reqwest::Method,
    pub key: Option<&'a str>,
    pub query: Vec<(&'a str, String)>,
    pub headers: Vec<(&'static str, String)>,
    pub body: Bytes,
    /// SHA-256 of the body when the caller has it already.
    pub payload_hash: Option<String>,
}

impl<'a> S3Request<'a> {
    pub fn new(method: reqwest::Method, key: Option<&'a str>) -> Self {
        Self {
            method,
            key,
            query: Vec::new(),
            headers: Vec::new(),
            body: Bytes::new(),
            payload_hash: None,
        }
    }
}

/// An answer read whole.
#[derive(Debug)]
pub(super) struct S3Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl S3Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `Code: Message` from the error document, or the status alone.
    pub fn summary(&self) -> String {
        error_summary(&String::from_utf8_lossy(&self.body)).map_or_else(
            || self.status.to_string(),
            |s| format!("{}, {s}", self.status),
        )
    }
}

/// The HTTP side of the store.
#[derive(Debug)]
pub(super) struct S3Client {
    http: reqwest::Client,
    settings: S3Settings,
}

impl S3Client {
    pub fn new(settings: S3Settings) -> Result<Self, ObjectError> {
        let http = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .read_timeout(IDLE_TIMEOUT)
            .build()
            .map_err(|e| ObjectError::Backend(format!("cannot build the S3 HTTP client: {e}")))?;
        Ok(Self { http, settings })
    }

    pub fn settings(&self) -> &S3Settings {
        &self.settings
    }

    /// `/bucket` or `/bucket/encoded/key`, as sent and as signed.
    fn path(&self, key: Option<&str>) -> String {
        let bucket = uri_encode(&self.settings.bucket, false);
        match key {
            Some(key) => format!("/{bucket}/{}", uri_encode(key, true)),
            None => format!("/{bucket}"),
        }
    }

    /// The URL of an object or of the bucket, for messages.
    pub fn url(&self, key: Option<&str>) -> String {
        format!("{}{}", self.settings.endpoint, self.path(key))
    }

    /// Signs and sends `request`; any answer is returned, only transport
    /// failures are errors.
    pub async fn send(&self, request: S3Request<'_>) -> Result<S3Response, ObjectError> {
        let path = self.path(request.key);
        let payload_hash = request.payload_hash.clone().unwrap_or_else(|| {
            if request.body.is_empty() {
                EMPTY_PAYLOAD_SHA256.to_owned()
            } else {
                sha256_hex(&request.body)
            }
        });
        let host = self
            .settings
            .endpoint
            .strip_prefix("http://")
            .unwrap_or(&self.settings.endpoint);
        // The server judges a signature's age by its own wall clock (15 minutes
        // of skew at most), so the signing time is the real time, not a test clock.
        let amz_date = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
        let mut headers: Vec<(&str, &str)> = vec![
            ("host", host),
            ("x-amz-content-sha256", &payload_hash),
            ("x-amz-date", &amz_date),
        ];
        headers.extend(request.headers.iter().map(|(n, v)| (*n, v.as_str())));
        let query: Vec<(&str, &str)> = request
            .query
            .iter()
            .map(|(n, v)| (*n, v.as_str()))
            .collect();
        let input = SigningInput {
            method: request.method.as_str(),
            path: &path,
            query: &query,
            headers: &headers,
            payload_hash: &payload_hash,
        };
        let authorization = self.settings.signer.authorization(&amz_date, &input);
        let canonical_query = input.canonical_query();
        let mut url = format!("{}{path}", self.settings.endpoint);
        if !canonical_query.is_empty() {
            url.push('?');
            url.push_str(&canonical_query);
        }
        let mut builder = self
            .http
            .request(request.method.clone(), &url)
            .header("authorization", authorization);
        // `host` is set by the client from the URL, identically.
        for (name, value) in headers.iter().filter(|(n, _)| *n != "host") {
            builder = builder.header(*name, *value);
        }
        let failed = |e: reqwest::Error| {
            let shown = self.url(request.key);
            let kind = if e.is_timeout() {
                "timed out"
            } else if e.is_connect() {
                "could not connect"
            } else {
                "failed"
            };
            ObjectError::Unavailable(format!(
                "S3 {} {shown} {kind}: {e}; is the server at {} running?",
                request.method, self.settings.endpoint
            ))
        };
        let response = builder.body(request.body).send().await.map_err(failed)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(failed)?.to_vec();
        Ok(S3Response {
            status,
            headers,
            body,
        })
    }

    /// The error for an answer the store did not expect.
    pub fn unexpected(
        &self,
        method: &str,
        key: Option<&str>,
        response: &S3Response,
    ) -> ObjectError {
        ObjectError::Backend(format!(
            "S3 {method} {} answered {}",
            self.url(key),
            response.summary()
        ))
    }
}
