//! Which headers cross the gateway. Hop-by-hop headers describe one connection and
//! never travel further; headers the gateway owns (request and correlation ids,
//! the forwarded-for chain) are set by it, never copied from the client; and an
//! upstream's CORS or server-identifying headers never reach the client.

use axum::extract::Request;
use axum::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use mediaflow_shared::http::{REQUEST_ID_HEADER, RequestId};

/// Carries the request id under the name log pipelines correlate on; set per
/// request from that request's id, sent upstream and echoed to the client.
pub const CORRELATION_ID_HEADER: &str = "x-correlation-id";

/// The forwarded-for chain sent upstream.
pub const FORWARDED_FOR_HEADER: &str = "x-forwarded-for";

/// Headers meaningful for a single connection only (RFC 9110 §7.6.1).
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

/// Request headers the gateway sets itself.
const OWNED_REQUEST: [&str; 7] = [
    "host",
    "content-length",
    REQUEST_ID_HEADER,
    CORRELATION_ID_HEADER,
    FORWARDED_FOR_HEADER,
    "forwarded",
    "x-real-ip",
];

/// Upstream response headers the client must not see or that the gateway sets.
const OWNED_RESPONSE: [&str; 5] = [
    "content-length",
    "server",
    "x-powered-by",
    REQUEST_ID_HEADER,
    CORRELATION_ID_HEADER,
];

/// Names listed in `Connection` are hop-by-hop for this message too.
fn connection_listed(headers: &HeaderMap) -> Vec<String> {
    headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty())
        .collect()
}

fn copy_except(from: &HeaderMap, skip: impl Fn(&HeaderName) -> bool) -> HeaderMap {
    let listed = connection_listed(from);
    let mut out = HeaderMap::with_capacity(from.len());
    for (name, value) in from {
        let name_str = name.as_str();
        if HOP_BY_HOP.contains(&name_str) || listed.iter().any(|l| l == name_str) || skip(name) {
            continue;
        }
        out.append(name.clone(), value.clone());
    }
    out
}

/// The headers to send upstream: the client's end-to-end headers (the
/// `Authorization` header included, so upstreams authorise on their own), plus
/// the correlation id and the forwarded-for chain.
pub fn upstream_request_headers(
    incoming: &HeaderMap,
    request_id: &RequestId,
    forwarded_for: &str,
) -> HeaderMap {
    let mut out = copy_except(incoming, |name| OWNED_REQUEST.contains(&name.as_str()));
    if let Ok(value) = HeaderValue::from_str(request_id.as_str()) {
        out.insert(CORRELATION_ID_HEADER, value);
    }
    if let Ok(value) = HeaderValue::from_str(forwarded_for) {
        out.insert(FORWARDED_FOR_HEADER, value);
    }
    out
}

/// The upstream response headers to relay to the client.
pub fn client_response_headers(upstream: &HeaderMap) -> HeaderMap {
    copy_except(upstream, |name| {
        OWNED_RESPONSE.contains(&name.as_str()) || name.as_str().starts_with("access-control-")
    })
}

/// Middleware: echoes this request's id as `x-correlation-id`.
pub async fn correlation(request: Request, next: Next) -> Response {
    let id = request.extensions().get::<RequestId>().cloned();
    let mut response = next.run(request).await;
    if let Some(value) = id.and_then(|id| HeaderValue::from_str(id.as_str()).ok()) {
        response.headers_mut().insert(CORRELATION_ID_HEADER, value);
    }
    response
}
