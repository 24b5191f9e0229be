//! Names that end up in engine objects (container names, DNS aliases, volume names), so
//! they are validated as DNS labels when the spec is read.

use std::fmt;

use serde::{Deserialize, Deserializer};

use super::InvalidValue;

/// A service name: lowercase letters, digits and `-`, starting with a letter.
///
/// Exists because the name becomes part of container names, DNS aliases and labels.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServiceName(String);

impl ServiceName {
    /// Validates a name.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        dns_label(text, "service name").map(|()| Self(text.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServiceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl<'de> Deserialize<'de> for ServiceName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A volume name: lowercase letters, digits and `-`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct VolumeName(String);

impl VolumeName {
    /// Validates a name.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        dns_label(text, "volume name").map(|()| Self(text.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for VolumeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl<'de> Deserialize<'de> for VolumeName {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Checks a DNS-label-like name: 1 to 40 of `a-z`, `0-9`, `-`, starting with a letter and
/// not ending with `-`.
fn dns_label(text: &str, what: &str) -> Result<(), InvalidValue> {
    let valid = (1..=40).contains(&text.len())
        && text.starts_with(|c: char| c.is_ascii_lowercase())
        && !text.ends_with('-')
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if valid {
        Ok(())
    } else {
        Err(InvalidValue::new(format!(
            "`{text}` is not a valid {what} (1 to 40 of a-z, 0-9 and `-`, starting with a letter)"
        )))
    }
}
