//! HTTP calls to services under test, read whole: one [`Reply`] with status,
//! headers and body (as JSON and as text), and the URL of a running service.

use mediaflow_shared::http::RunningService;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// An HTTP answer read whole.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body as JSON: `Null` when empty, a JSON string holding the text when
    /// it is not JSON.
    pub body: Value,
    /// The body as text, for failure messages.
    pub raw: String,
}

impl Reply {
    /// `error.code` of a platform error body, or `""` when there is none.
    pub fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// A header's value, or `""` when it is absent or not text.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
    }

    /// A string field of the body, or `""` when it is absent or not a string.
    pub fn text(&self, field: &str) -> String {
        self.body[field].as_str().unwrap_or("").to_owned()
    }
}

/// Sends `request` and reads the whole reply; a request that gets no answer at
/// all fails the test, naming the method and URL.
pub async fn send(request: reqwest::RequestBuilder) -> Reply {
    let (client, request) = request.build_split();
    let request = request.expect("the request is well-formed");
    let target = format!("{} {}", request.method(), request.url());
    let response = client
        .execute(request)
        .await
        .unwrap_or_else(|error| panic!("{target} must get an answer: {error}"));
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response
        .bytes()
        .await
        .unwrap_or_else(|error| panic!("the body of {target} must be readable: {error}"));
    let raw = String::from_utf8_lossy(&bytes).into_owned();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(raw.clone()))
    };
    Reply {
        status,
        headers,
        body,
        raw,
    }
}

/// `http://127.0.0.1:<port>` of a running service plus `path`.
pub fn url(service: &RunningService, path: &str) -> String {
    format!("{}{path}", service.base_url())
}
