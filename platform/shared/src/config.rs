//! Typed settings from `MEDIAFLOW_*` environment variables. The environment is read
//! once, at the edge, into an [`Env`] snapshot; typed getters parse it and every
//! error names the variable and the offending value.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use thiserror::Error;
use url::Url;

/// The prefix every platform variable carries.
pub const PREFIX: &str = "MEDIAFLOW_";

/// A configuration error, naming the variable.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// A required variable is not set.
    #[error("{var} is not set; set it to {expected}")]
    Missing {
        /// Variable name.
        var: String,
        /// What a valid value looks like.
        expected: &'static str,
    },
    /// A variable is set to something unparsable.
    #[error("{var}={value:?} is invalid: expected {expected}")]
    Invalid {
        /// Variable name.
        var: String,
        /// The value as found.
        value: String,
        /// What a valid value looks like.
        expected: String,
    },
}

/// A snapshot of the environment's `MEDIAFLOW_*` variables.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values may be secrets: show names only.
        f.debug_struct("Env")
            .field("vars", &self.vars.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A secret setting: never printed by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The secret text, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Env {
    /// The process environment's `MEDIAFLOW_*` variables (read once, at startup).
    pub fn from_process() -> Self {
        Self::from_pairs(std::env::vars().filter(|(k, _)| k.starts_with(PREFIX)))
    }

    /// An environment from explicit pairs (tests, config files).
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// This environment with one more variable set (or replaced).
    #[must_use]
    pub fn with(mut self, var: &str, value: impl Into<String>) -> Self {
        self.vars.insert(var.to_owned(), value.into());
        self
    }

    /// The raw value; blank values count as unset.
    pub fn raw(&self, var: &str) -> Option<&str> {
        self.vars
            .get(var)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    fn invalid(var: &str, value: &str, expected: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            var: var.to_owned(),
            value: value.to_owned(),
            expected: expected.into(),
        }
    }

    /// A string, or the default.
    pub fn string(&self, var: &str, default: &str) -> String {
        self.raw(var).unwrap_or(default).to_owned()
    }

    /// A required string.
    pub fn required(&self, var: &str, expected: &'static str) -> Result<String, ConfigError> {
        self.raw(var)
            .map(str::to_owned)
            .ok_or_else(|| ConfigError::Missing {
                var: var.to_owned(),
                expected,
            })
    }

    /// A boolean setting (`true`/`false` and the usual spellings, any case), or the
    /// default.
    pub fn bool(&self, var: &str, default: bool) -> Result<bool, ConfigError> {
        let Some(value) = self.raw(var) else {
            return Ok(default);
        };
        match value.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" => Ok(false),
            _ => Err(Self::invalid(
                var,
                value,
                "one of true/false/1/0/yes/no/on/off",
            )),
        }
    }

    /// An integer of type `T`, range-checked by `T`'s parser (`u16` rejects 70000).
    pub fn number<T>(&self, var: &str, default: T) -> Result<T, ConfigError>
    where
        T: FromStr + fmt::Display,
    {
        let Some(value) = self.raw(var) else {
            return Ok(default);
        };
        value.replace('_', "").parse::<T>().map_err(|_| {
            Self::invalid(
                var,
                value,
                format!("an integer of type {}", std::any::type_name::<T>()),
            )
        })
    }

    /// An integer within `min..=max`.
    pub fn number_in<T>(&self, var: &str, default: T, min: T, max: T) -> Result<T, ConfigError>
    where
        T: FromStr + fmt::Display + PartialOrd + Copy,
    {
        let n = self.number(var, default)?;
        if n < min || n > max {
            return Err(Self::invalid(
                var,
                &n.to_string(),
                format!("a number between {min} and {max}"),
            ));
        }
        Ok(n)
    }

    /// A duration with a unit: `250ms`, `30s`, `5m`, `2h`, or combined `1m30s`.
    /// A bare number is rejected: its unit would be a guess.
    pub fn duration(&self, var: &str, default: Duration) -> Result<Duration, ConfigError> {
        let Some(value) = self.raw(var) else {
            return Ok(default);
        };
        parse_duration(value).ok_or_else(|| {
            Self::invalid(
                var,
                value,
                "a duration with a unit, e.g. 250ms, 30s, 5m, 2h or 1m30s",
            )
        })
    }

    /// An absolute URL.
    pub fn url(&self, var: &str, default: Option<&str>) -> Result<Url, ConfigError> {
        let value = match (self.raw(var), default) {
            (Some(v), _) => v,
            (None, Some(d)) => d,
            (None, None) => {
                return Err(ConfigError::Missing {
                    var: var.to_owned(),
                    expected: "an absolute URL",
                });
            }
        };
        Url::parse(value).map_err(|e| Self::invalid(var, value, format!("an absolute URL ({e})")))
    }

    /// A secret of at least `min_len` bytes; a missing or short secret is an error,
    /// so a service never starts with a guessable key.
    pub fn secret(&self, var: &str, min_len: usize) -> Result<Secret, ConfigError> {
        let value = self.raw(var).ok_or_else(|| ConfigError::Missing {
            var: var.to_owned(),
            expected: "a secret",
        })?;
        if value.len() < min_len {
            return Err(ConfigError::Invalid {
                var: var.to_owned(),
                value: "***".to_owned(),
                expected: format!("a secret of at least {min_len} bytes"),
            });
        }
        Ok(Secret(value.to_owned()))
    }
}

/// Parses `250ms`, `30s`, `5m`, `2h`, `1d` and combinations such as `1h30m`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let n: u64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let part = match &rest[..unit_len] {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n.checked_mul(60)?),
            "h" => Duration::from_secs(n.checked_mul(3_600)?),
            "d" => Duration::from_secs(n.checked_mul(86_400)?),
            _ => return None,
        };
        total = total.checked_add(part)?;
        rest = &rest[unit_len..];
    }
    Some(total)
}

/// `url` with its password replaced by `***`: how a connection URL appears in messages
/// and logs.
pub fn redacted_url(url: &Url) -> String {
    let mut shown = url.clone();
    if shown.password().is_some() {
        let _ = shown.set_password(Some("***"));
    }
    shown.to_string()
}
