//! The explicit list of routes reachable without an access token. Everything not
//! listed here needs a valid bearer token: an allow-list fails closed when a new
//! upstream route appears, a deny-list would fail open.

use axum::http::Method;

/// One public route: a method and a path pattern whose `{name}` segments match
/// exactly one non-empty path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicRoute {
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path pattern, e.g. `/api/catalog/videos/{id}`.
    pub pattern: &'static str,
}

impl PublicRoute {
    const fn new(method: &'static str, pattern: &'static str) -> Self {
        Self { method, pattern }
    }

    /// Whether `method` and `path` (without query) match this route.
    pub fn matches(&self, method: &Method, path: &str) -> bool {
        method.as_str() == self.method && pattern_matches(self.pattern, path)
    }
}

/// Routes anonymous clients may call: signing up and in, browsing the catalog and
/// the plans, and the probes.
pub const PUBLIC_ROUTES: &[PublicRoute] = &[
    PublicRoute::new("POST", "/api/auth/register"),
    PublicRoute::new("POST", "/api/auth/login"),
    PublicRoute::new("POST", "/api/auth/refresh"),
    PublicRoute::new("GET", "/api/catalog/videos"),
    PublicRoute::new("GET", "/api/catalog/videos/{id}"),
    PublicRoute::new("GET", "/api/catalog/search"),
    PublicRoute::new("GET", "/api/billing/plans"),
    PublicRoute::new("GET", "/health"),
    PublicRoute::new("GET", "/ready"),
];

/// What a request needs before it is forwarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone may call it.
    Public,
    /// A valid access token is required.
    Protected,
}

/// Classifies a request. A CORS preflight (`OPTIONS` carrying
/// `Access-Control-Request-Method`) is public: browsers never attach credentials
/// to it.
pub fn access(method: &Method, path: &str, is_preflight: bool) -> Access {
    if (is_preflight && method == Method::OPTIONS)
        || PUBLIC_ROUTES.iter().any(|r| r.matches(method, path))
    {
        Access::Public
    } else {
        Access::Protected
    }
}

/// Segment-wise match: same number of segments, literal segments equal, each
/// `{name}` matches one non-empty segment.
fn pattern_matches(pattern: &str, path: &str) -> bool {
    let mut expected = pattern.split('/');
    let mut actual = path.split('/');
    loop {
        match (expected.next(), actual.next()) {
            (None, None) => return true,
            (Some(want), Some(got)) => {
                let is_param = want.starts_with('{') && want.ends_with('}');
                let ok = if is_param {
                    !got.is_empty()
                } else {
                    want == got
                };
                if !ok {
                    return false;
                }
            }
            _ => return false,
        }
    }
}
