//! Where the S3 object store lives, read from one URL,
//! `MEDIAFLOW_S3_URL=http://ACCESS_KEY:SECRET_KEY@host:port/bucket[/key/prefix][?region=us-east-1]`,
//! or from the separate variables `mediaflow up` writes: `MEDIAFLOW_S3_ENDPOINT`
//! (`http://host:port`), `MEDIAFLOW_S3_ACCESS_KEY`, `MEDIAFLOW_S3_SECRET_KEY`, with
//! `MEDIAFLOW_S3_BUCKET` (default `mediaflow`) and `MEDIAFLOW_S3_REGION` (default
//! `us-east-1`). The URL wins when both are set.
//!
//! Plain HTTP only (the platform's servers are on a trusted network, and the
//! workspace builds reqwest without TLS); requests are path-style, so any
//! S3-compatible server answers them. Credentials are percent-decoded, so a secret
//! holding `/` or `+` is written `%2F` / `%2B`.

use std::fmt;

use url::Url;

use super::sigv4::{Signer, uri_encode};
use crate::config::{ConfigError, Env};

/// The variable selecting the S3 object store.
pub const S3_URL_VAR: &str = "MEDIAFLOW_S3_URL";

/// The endpoint variable of the separate form.
pub const S3_ENDPOINT_VAR: &str = "MEDIAFLOW_S3_ENDPOINT";
const ACCESS_KEY_VAR: &str = "MEDIAFLOW_S3_ACCESS_KEY";
const SECRET_KEY_VAR: &str = "MEDIAFLOW_S3_SECRET_KEY";
const BUCKET_VAR: &str = "MEDIAFLOW_S3_BUCKET";
const REGION_VAR: &str = "MEDIAFLOW_S3_REGION";

/// The region signed for when the settings name none.
const DEFAULT_REGION: &str = "us-east-1";
/// The bucket of the separate form when `MEDIAFLOW_S3_BUCKET` is unset.
const DEFAULT_BUCKET: &str = "mediaflow";

/// Connection settings of [`super::S3ObjectStore`].
#[derive(Clone)]
pub struct S3Settings {
    /// `http://host:port`, without credentials.
    pub(super) endpoint: String,
    pub(super) bucket: String,
    /// Prepended to every key; empty or ending in `/`.
    pub(super) prefix: String,
    pub(super) signer: Signer,
    /// The URL with the secret replaced by `***`, for messages.
    redacted: String,
}

impl fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Settings")
            .field("url", &self.redacted)
            .finish()
    }
}

fn decoded(part: &str, what: &str) -> Result<String, String> {
    let bytes: Vec<u8> = url::form_urlencoded::parse(format!("x={part}").as_bytes())
        .next()
        .map(|(_, value)| value.into_owned().into_bytes())
        .unwrap_or_default();
    String::from_utf8(bytes).map_err(|_| format!("a URL whose {what} is UTF-8"))
}

impl S3Settings {
    /// Settings from a URL of the form this module describes; the error says
    /// what was expected.
    pub fn from_url(url: &str) -> Result<Self, String> {
        let parsed = Url::parse(url).map_err(|e| format!("an http:// URL ({e})"))?;
        if parsed.scheme() != "http" {
            return Err(format!(
                "an http:// URL (TLS is not built in), not {}://",
                parsed.scheme()
            ));
        }
        let host = parsed
            .host_str()
            .ok_or_else(|| "a URL with a host".to_owned())?;
        if parsed.username().is_empty() || parsed.password().is_none() {
            return Err(
                "a URL with credentials: http://ACCESS_KEY:SECRET_KEY@host:port/bucket".to_owned(),
            );
        }
        // `+` means a plus in userinfo, not a space as in a form.
        let access_key = decoded(&parsed.username().replace('+', "%2B"), "access key")?;
        let secret_key = decoded(
            &parsed.password().unwrap_or_default().replace('+', "%2B"),
            "secret key",
        )?;
        let mut segments = parsed
            .path_segments()
            .map(|s| {
                s.filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        if segments.is_empty() {
            return Err("a URL naming the bucket: http://KEY:SECRET@host:port/bucket".to_owned());
        }
        let bucket = segments.remove(0);
        let mut prefix = segments
            .iter()
            .map(|s| decoded(s, "key prefix"))
            .collect::<Result<Vec<_>, _>>()?
            .join("/");
        if !prefix.is_empty() {
            prefix.push('/');
        }
        let region = parsed
            .query_pairs()
            .find(|(name, _)| name == "region")
            .map_or_else(
                || DEFAULT_REGION.to_owned(),
                |(_, value)| value.into_owned(),
            );
        let endpoint = match parsed.port() {
            Some(port) => format!("http://{host}:{port}"),
            None => format!("http://{host}"),
        };
        Ok(Self {
            endpoint,
            bucket,
            prefix,
            signer: Signer::new(&access_key, &secret_key, &region),
            redacted: redact_text(url),
        })
    }

    /// The settings when `MEDIAFLOW_S3_URL` or `MEDIAFLOW_S3_ENDPOINT` is set,
    /// `None` when neither is.
    pub fn from_env(env: &Env) -> Result<Option<Self>, ConfigError> {
        if let Some(url) = env.raw(S3_URL_VAR) {
            return Self::from_url(url)
                .map(Some)
                .map_err(|expected| ConfigError::Invalid {
                    var: S3_URL_VAR.to_owned(),
                    value: redact_text(url),
                    expected,
                });
        }
        let Some(endpoint) = env.raw(S3_ENDPOINT_VAR) else {
            return Ok(None);
        };
        let mut url = Url::parse(endpoint)
            .ok()
            .filter(|u| u.path() == "/" && u.username().is_empty() && u.query().is_none())
            .ok_or_else(|| ConfigError::Invalid {
                var: S3_ENDPOINT_VAR.to_owned(),
                value: endpoint.to_owned(),
                expected: "http://host:port, without path or credentials".to_owned(),
            })?;
        let access_key = env.required(ACCESS_KEY_VAR, "the S3 access key")?;
        let secret_key = env.required(SECRET_KEY_VAR, "the S3 secret key")?;
        let bucket = env.string(BUCKET_VAR, DEFAULT_BUCKET);
        let region = env.string(REGION_VAR, DEFAULT_REGION);
        let invalid = |expected: String| ConfigError::Invalid {
            var: S3_ENDPOINT_VAR.to_owned(),
            value: endpoint.to_owned(),
            expected,
        };
        url.set_username(&uri_encode(&access_key, false))
            .and_then(|()| url.set_password(Some(&uri_encode(&secret_key, false))))
            .map_err(|()| invalid("an http://host:port URL".to_owned()))?;
        url.set_path(&uri_encode(&bucket, false));
        url.query_pairs_mut().append_pair("region", &region);
        Self::from_url(url.as_str()).map(Some).map_err(invalid)
    }

    /// The same settings with `prefix` appended to the key prefix (a `/` added
    /// when missing), so tests and deployments can share one bucket.
    #[must_use]
    pub fn with_prefix(mut self, prefix: &str) -> Self {
        if !prefix.is_empty() {
            self.prefix.push_str(prefix);
            if !self.prefix.ends_with('/') {
                self.prefix.push('/');
            }
        }
        self
    }

    /// The URL with the secret key redacted.
    pub fn redacted_url(&self) -> &str {
        &self.redacted
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The key prefix (empty or ending in `/`).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }
}

/// `url` with its password replaced by `***` (all of it when it does not parse).
fn redact_text(url: &str) -> String {
    Url::parse(url).map_or_else(
        |_| "***".to_owned(),
        |mut u| {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        },
    )
}
