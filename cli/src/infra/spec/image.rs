//! Image references (`redis:7`, `registry.local:5000/team/postgres:15`, `x@sha256:…`) and
//! the pull request each one turns into.

use std::fmt;

use bollard::query_parameters::{CreateImageOptions, CreateImageOptionsBuilder};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::InvalidValue;

/// The tag Docker assumes when a reference names none; made explicit so a pull never
/// asks for every tag of a repository.
pub const DEFAULT_TAG: &str = "latest";

/// A validated image reference: repository, optional tag, optional digest.
///
/// Exists so every place that talks to the engine (inspect, pull, create) uses one
/// normalised spelling and a pull always carries a tag or digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ImageRef {
    /// Registry host (optional) and path, e.g. `redis` or `registry.local:5000/team/redis`.
    repository: String,
    /// The tag, when the reference names one.
    tag: Option<String>,
    /// The content digest (`sha256:…`), when the reference pins one.
    digest: Option<String>,
}

impl ImageRef {
    /// Parses and validates a reference the way the Docker CLI reads it.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let invalid = |why: &str| {
            InvalidValue::new(format!(
                "`{text}` is not an image reference: {why} (write e.g. `redis:7` or `registry.local:5000/team/redis:7`)"
            ))
        };
        if text.is_empty() || text.chars().any(char::is_whitespace) {
            return Err(invalid("it is empty or contains whitespace"));
        }
        let (rest, digest) = match text.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest)),
            None => (text, None),
        };
        if let Some(digest) = digest
            && !is_digest(digest)
        {
            return Err(invalid("the digest must look like `sha256:<hex>`"));
        }
        let last_slash = rest.rfind('/');
        let (repository, tag) = match rest.rfind(':') {
            Some(colon) if last_slash.is_none_or(|slash| colon > slash) => {
                (&rest[..colon], Some(&rest[colon + 1..]))
            }
            _ => (rest, None),
        };
        if let Some(tag) = tag
            && !is_tag(tag)
        {
            return Err(invalid(
                "a tag is 1 to 128 of letters, digits, `_`, `.`, `-`",
            ));
        }
        validate_repository(repository).map_err(invalid)?;
        Ok(Self {
            repository: repository.to_owned(),
            tag: tag.map(str::to_owned),
            digest: digest.map(str::to_owned),
        })
    }

    /// Registry host (if any) and path, without tag or digest.
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag a pull asks for: the named tag, or `latest` when the reference has neither
    /// tag nor digest.
    pub fn tag_or_default(&self) -> Option<&str> {
        match (&self.tag, &self.digest) {
            (Some(tag), _) => Some(tag),
            (None, None) => Some(DEFAULT_TAG),
            (None, Some(_)) => None,
        }
    }

    /// The digest, when the reference pins one.
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// The normalised reference handed to the engine for inspect and create:
    /// always with a tag or a digest (`redis` becomes `redis:latest`).
    pub fn canonical(&self) -> String {
        let mut out = self.repository.clone();
        if let Some(tag) = self.tag_or_default() {
            out.push(':');
            out.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            out.push('@');
            out.push_str(digest);
        }
        out
    }

    /// The `POST /images/create` query for pulling this image: `fromImage` is the
    /// repository and `tag` is always set (the digest when pinned, else the tag or
    /// `latest`), because an untagged `fromImage` would pull every tag.
    pub fn pull_options(&self) -> CreateImageOptions {
        let tag = self
            .digest
            .as_deref()
            .or(self.tag_or_default())
            .unwrap_or(DEFAULT_TAG);
        CreateImageOptionsBuilder::new()
            .from_image(&self.repository)
            .tag(tag)
            .build()
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

impl Serialize for ImageRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ImageRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

fn is_tag(tag: &str) -> bool {
    let mut chars = tag.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    first_ok
        && tag.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn is_digest(digest: &str) -> bool {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return false;
    };
    !algorithm.is_empty()
        && algorithm.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '+' | '.' | '_' | '-')
        })
        && hex.len() >= 32
        && hex.chars().all(|c| c.is_ascii_hexdigit())
}

fn validate_repository(repository: &str) -> Result<(), &'static str> {
    let mut components: Vec<&str> = repository.split('/').collect();
    let first = components.first().copied().unwrap_or_default();
    let has_domain = components.len() > 1
        && (first.contains('.') || first.contains(':') || first == "localhost");
    if has_domain {
        let (host, port) = match first.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (first, None),
        };
        let host_ok = !host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        let port_ok = port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
        if !(host_ok && port_ok) {
            return Err("the registry host must be `host` or `host:port`");
        }
        components.remove(0);
    }
    if components.is_empty() {
        return Err("the repository path is empty");
    }
    for component in components {
        let separators_ok = !component.is_empty()
            && component.starts_with(|c: char| c.is_ascii_alphanumeric())
            && component.ends_with(|c: char| c.is_ascii_alphanumeric());
        let chars_ok = component
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
        if !(separators_ok && chars_ok) {
            return Err(
                "path parts are lowercase letters and digits, separated by `.`, `_` or `-`",
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pull(text: &str) -> (Option<String>, Option<String>) {
        let options = ImageRef::parse(text)
            .expect("valid reference")
            .pull_options();
        (options.from_image, options.tag)
    }

    #[test]
    fn pull_requests_split_repository_and_tag_and_always_carry_a_tag() {
        let cases = [
            ("redis:7", "redis", "7"),
            ("redis", "redis", "latest"),
            ("rabbitmq:3.12-management", "rabbitmq", "3.12-management"),
            ("minio/minio:latest", "minio/minio", "latest"),
            ("hashicorp/consul:1.16", "hashicorp/consul", "1.16"),
            ("localhost:5000/redis", "localhost:5000/redis", "latest"),
            (
                "registry.local:5000/team/postgres:15",
                "registry.local:5000/team/postgres",
                "15",
            ),
            (
                "mediaflow-local/postgres:15",
                "mediaflow-local/postgres",
                "15",
            ),
        ];
        for (text, repository, tag) in cases {
            assert_eq!(
                pull(text),
                (Some(repository.to_owned()), Some(tag.to_owned())),
                "pulling `{text}` must ask for fromImage={repository} tag={tag}"
            );
        }
    }

    #[test]
    fn pull_requests_for_pinned_digests_ask_for_the_digest() {
        let digest = format!("sha256:{}", "ab".repeat(32));
        for text in [format!("redis@{digest}"), format!("redis:7@{digest}")] {
            assert_eq!(
                pull(&text),
                (Some("redis".to_owned()), Some(digest.clone())),
                "a pinned reference `{text}` must be pulled by its digest"
            );
        }
    }

    #[test]
    fn canonical_references_always_name_a_tag_or_digest() {
        let digest = format!("sha256:{}", "0f".repeat(32));
        let cases = [
            ("redis".to_owned(), "redis:latest".to_owned()),
            ("redis:7".to_owned(), "redis:7".to_owned()),
            (format!("redis@{digest}"), format!("redis@{digest}")),
            (
                "localhost:5000/x".to_owned(),
                "localhost:5000/x:latest".to_owned(),
            ),
        ];
        for (text, canonical) in cases {
            let parsed = ImageRef::parse(&text).expect("valid reference");
            assert_eq!(parsed.canonical(), canonical, "canonical form of `{text}`");
        }
    }

    #[test]
    fn malformed_references_are_rejected() {
        for text in [
            "",
            "Redis:7",
            "redis:",
            "redis:7 ",
            "redis@sha256:zz",
            "/redis",
            "redis//x",
            "-redis",
            "redis:.7",
            "bad host:5000/x",
        ] {
            assert!(ImageRef::parse(text).is_err(), "`{text}` must be rejected");
        }
    }
}
