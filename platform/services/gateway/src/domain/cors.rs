//! Strict CORS: only origins on the allow-list get CORS headers, and they get
//! their own origin echoed back (never `*`, which browsers forbid together with
//! credentials and which would hand every site the user's session).

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use thiserror::Error;

/// A web origin, normalised: lower-case scheme and host, default port dropped.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin(String);

/// Why an origin does not parse.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("`{0}` is not an origin such as https://app.example.com or http://localhost:5173")]
pub struct InvalidOrigin(pub String);

impl Origin {
    /// The normalised text, as browsers send it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Origin {
    type Err = InvalidOrigin;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidOrigin(text.to_owned());
        let (scheme, rest) = text.trim().split_once("://").ok_or_else(invalid)?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "https" => "443",
            "http" => "80",
            _ => return Err(invalid()),
        };
        let host_ok = |host: &str| match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
            None => {
                !host.is_empty()
                    && host
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
            }
        };
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port))
                if !port.is_empty()
                    && port.chars().all(|c| c.is_ascii_digit())
                    && !host.ends_with(':') =>
            {
                (host, Some(port))
            }
            _ => (rest, None),
        };
        if !host_ok(host) || port.is_some_and(|p| p.parse::<u16>().is_err()) {
            return Err(invalid());
        }
        let host = host.to_ascii_lowercase();
        Ok(match port {
            Some(port) if port != default_port => Self(format!("{scheme}://{host}:{port}")),
            _ => Self(format!("{scheme}://{host}")),
        })
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What cross-origin callers may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsPolicy {
    /// Origins allowed to call with credentials.
    pub allowed_origins: BTreeSet<Origin>,
    /// Methods a preflight may ask for.
    pub allowed_methods: Vec<&'static str>,
    /// Request headers (lower case) a preflight may ask for.
    pub allowed_headers: Vec<&'static str>,
    /// Response headers scripts may read.
    pub exposed_headers: Vec<&'static str>,
    /// How long browsers may cache a preflight answer.
    pub max_age: Duration,
}

impl CorsPolicy {
    /// A policy for `origins` with the platform's methods and headers.
    pub fn new(origins: impl IntoIterator<Item = Origin>) -> Self {
        Self {
            allowed_origins: origins.into_iter().collect(),
            allowed_methods: vec!["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
            allowed_headers: vec![
                "accept",
                "accept-language",
                "authorization",
                "content-type",
                "idempotency-key",
                "if-match",
                "if-none-match",
                "range",
                "x-request-id",
            ],
            exposed_headers: vec![
                "content-range",
                "etag",
                "retry-after",
                "x-correlation-id",
                "x-request-id",
            ],
            max_age: Duration::from_secs(600),
        }
    }

    /// The allowed origin matching the `Origin` header, if any. Matching is exact
    /// after normalisation: no suffix or prefix matching, no `null`.
    pub fn allowed_origin(&self, header: &str) -> Option<Origin> {
        header
            .parse::<Origin>()
            .ok()
            .filter(|o| self.allowed_origins.contains(o))
    }

    /// Judges a preflight: the origin, the requested method and the requested
    /// headers must all be allowed.
    pub fn preflight(
        &self,
        origin: &str,
        method: &str,
        headers: Option<&str>,
    ) -> Result<PreflightGrant, CorsRejection> {
        let origin = self.allowed_origin(origin).ok_or(CorsRejection::Origin)?;
        if !self
            .allowed_methods
            .iter()
            .any(|m| m.eq_ignore_ascii_case(method.trim()))
        {
            return Err(CorsRejection::Method(method.trim().to_owned()));
        }
        for header in headers
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|h| !h.is_empty())
        {
            if !self
                .allowed_headers
                .iter()
                .any(|h| h.eq_ignore_ascii_case(header))
            {
                return Err(CorsRejection::Header(header.to_ascii_lowercase()));
            }
        }
        Ok(PreflightGrant {
            origin,
            methods: self.allowed_methods.join(", "),
            headers: self.allowed_headers.join(", "),
            max_age_secs: self.max_age.as_secs(),
        })
    }

    /// The `Access-Control-Expose-Headers` value.
    pub fn exposed(&self) -> String {
        self.exposed_headers.join(", ")
    }
}

/// What an accepted preflight answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreflightGrant {
    /// Echoed in `Access-Control-Allow-Origin`.
    pub origin: Origin,
    /// `Access-Control-Allow-Methods`.
    pub methods: String,
    /// `Access-Control-Allow-Headers`.
    pub headers: String,
    /// `Access-Control-Max-Age`.
    pub max_age_secs: u64,
}

/// Why a preflight was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CorsRejection {
    /// The origin is not on the allow-list.
    #[error("origin is not allowed; ask the operators to add it to MEDIAFLOW_GATEWAY_CORS_ORIGINS")]
    Origin,
    /// The method is not allowed cross-origin.
    #[error("method `{0}` is not allowed cross-origin")]
    Method(String),
    /// A header is not allowed cross-origin.
    #[error("header `{0}` is not allowed cross-origin")]
    Header(String),
}
