//! Human durations in the infrastructure spec (`2s`, `500ms`, `1m30s`), the same
//! spelling compose files use, so `infra.yaml` and `docker-compose.yml` read alike.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::InvalidValue;

/// A duration written as `<number><unit>` parts (`h`, `m`, `s`, `ms`, `us`), e.g. `1m30s`.
///
/// Exists so health-check timings keep their readable form in the spec while the engine
/// gets exact nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HumanDuration(Duration);

impl HumanDuration {
    /// Wraps an exact duration.
    pub fn new(duration: Duration) -> Self {
        Self(duration)
    }

    /// Parses `1m30s`-style text; an empty string, a bare number or an unknown unit is an error.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let text = text.trim();
        if text.is_empty() {
            return Err(InvalidValue::new(
                "empty duration (write e.g. `2s`, `500ms` or `1m30s`)",
            ));
        }
        let mut total = Duration::ZERO;
        let mut rest = text;
        while !rest.is_empty() {
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            if digits == 0 {
                return Err(InvalidValue::new(format!(
                    "`{text}` is not a duration (write e.g. `2s`, `500ms` or `1m30s`)"
                )));
            }
            let number: u64 = rest[..digits].parse().map_err(|_| {
                InvalidValue::new(format!("`{text}` has a number too large for a duration"))
            })?;
            rest = &rest[digits..];
            let unit_len = rest
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(rest.len());
            let unit = match &rest[..unit_len] {
                "h" => Duration::from_secs(3600),
                "m" => Duration::from_secs(60),
                "s" => Duration::from_secs(1),
                "ms" => Duration::from_millis(1),
                "us" => Duration::from_micros(1),
                "" => {
                    return Err(InvalidValue::new(format!(
                        "`{text}` lacks a unit after {number} (use h, m, s, ms or us)"
                    )));
                }
                other => {
                    return Err(InvalidValue::new(format!(
                        "`{text}` has unknown unit `{other}` (use h, m, s, ms or us)"
                    )));
                }
            };
            rest = &rest[unit_len..];
            let part = u32::try_from(number)
                .ok()
                .and_then(|n| unit.checked_mul(n))
                .ok_or_else(|| InvalidValue::new(format!("`{text}` is too long a duration")))?;
            total = total
                .checked_add(part)
                .ok_or_else(|| InvalidValue::new(format!("`{text}` is too long a duration")))?;
        }
        Ok(Self(total))
    }

    /// The exact duration.
    pub fn get(self) -> Duration {
        self.0
    }

    /// Whole nanoseconds, the unit of the Docker API's health-check fields.
    pub fn as_nanos_i64(self) -> i64 {
        i64::try_from(self.0.as_nanos()).unwrap_or(i64::MAX)
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut nanos = self.0.as_nanos();
        if nanos == 0 {
            return f.write_str("0s");
        }
        for (unit, size) in [
            ("h", 3_600_000_000_000u128),
            ("m", 60_000_000_000),
            ("s", 1_000_000_000),
            ("ms", 1_000_000),
            ("us", 1_000),
        ] {
            if nanos >= size {
                write!(f, "{}{unit}", nanos / size)?;
                nanos %= size;
            }
        }
        if nanos > 0 {
            write!(f, "{nanos}ns")?;
        }
        Ok(())
    }
}

impl Serialize for HumanDuration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_the_compose_spelling() {
        let cases = [
            ("2s", Duration::from_secs(2)),
            ("500ms", Duration::from_millis(500)),
            ("1m30s", Duration::from_secs(90)),
            ("1h", Duration::from_secs(3600)),
            ("0s", Duration::ZERO),
            ("1s500ms", Duration::from_millis(1500)),
        ];
        for (text, expected) in cases {
            assert_eq!(
                HumanDuration::parse(text).ok().map(HumanDuration::get),
                Some(expected),
                "`{text}` must parse to {expected:?}"
            );
        }
    }

    #[test]
    fn durations_without_units_or_with_unknown_units_are_rejected() {
        for text in ["", "5", "s", "5 s", "5d", "1m-2s"] {
            assert!(
                HumanDuration::parse(text).is_err(),
                "`{text}` must be rejected"
            );
        }
    }

    #[test]
    fn durations_display_in_the_form_they_parse_from() {
        for text in ["2s", "500ms", "1m30s", "1h", "0s", "1s500ms"] {
            let parsed = HumanDuration::parse(text).expect("valid duration");
            assert_eq!(parsed.to_string(), text, "display must round-trip");
        }
    }
}
