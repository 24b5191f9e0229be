//! Settings templates: how a service's connection settings for the platform are spelled
//! in the spec, e.g. `postgres://u:p@127.0.0.1:{port:5432}/db`, where `{port:5432}` is
//! the host port the engine published for container port 5432.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::InvalidValue;

/// One piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// Text copied as written (`{{` and `}}` already unescaped).
    Literal(String),
    /// The host port published for this container port.
    Port(u16),
}

/// A parsed settings template.
///
/// Exists so a template that references a port the service does not publish is an error
/// when the spec is read, not a broken URL after `up`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingTemplate {
    /// The text as written in the spec, kept for display and round-trips.
    source: String,
    /// The parsed pieces.
    parts: Vec<Part>,
}

impl SettingTemplate {
    /// Parses a template; `{port:N}` is the only placeholder, `{{`/`}}` are literal braces.
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        if text.contains(['\n', '\r']) {
            return Err(InvalidValue::new(format!(
                "setting `{text}` spans lines; a setting is one line"
            )));
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if rest.starts_with("{{") || rest.starts_with("}}") {
                literal.push(c);
                rest = &rest[2..];
            } else if c == '{' {
                let end = rest.find('}').ok_or_else(|| {
                    InvalidValue::new(format!("setting `{text}` has an unclosed `{{`"))
                })?;
                let placeholder = &rest[1..end];
                let port = placeholder
                    .strip_prefix("port:")
                    .and_then(|port| port.parse::<u16>().ok())
                    .filter(|port| *port > 0)
                    .ok_or_else(|| {
                        InvalidValue::new(format!(
                            "setting `{text}` has unknown placeholder `{{{placeholder}}}` (the only one is `{{port:N}}`, N a container port; write `{{{{` for a literal brace)"
                        ))
                    })?;
                if !literal.is_empty() {
                    parts.push(Part::Literal(std::mem::take(&mut literal)));
                }
                parts.push(Part::Port(port));
                rest = &rest[end + 1..];
            } else if c == '}' {
                return Err(InvalidValue::new(format!(
                    "setting `{text}` has a stray `}}` (write `}}}}` for a literal brace)"
                )));
            } else {
                literal.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Ok(Self {
            source: text.to_owned(),
            parts,
        })
    }

    /// The container ports this template needs published.
    pub fn ports(&self) -> impl Iterator<Item = u16> + '_ {
        self.parts.iter().filter_map(|part| match part {
            Part::Port(port) => Some(*port),
            Part::Literal(_) => None,
        })
    }

    /// Fills the placeholders from `container port → host port`; `Err(port)` names a
    /// container port with no published host port.
    pub fn render(&self, host_ports: &BTreeMap<u16, u16>) -> Result<String, u16> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                Part::Port(port) => {
                    let host = host_ports.get(port).ok_or(*port)?;
                    out.push_str(&host.to_string());
                }
            }
        }
        Ok(out)
    }
}

impl fmt::Display for SettingTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl Serialize for SettingTemplate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.source)
    }
}

impl<'de> Deserialize<'de> for SettingTemplate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_host_ports_for_container_ports() {
        let template = SettingTemplate::parse("postgres://m:m@127.0.0.1:{port:5432}/m")
            .expect("valid template");
        let ports = BTreeMap::from([(5432, 49153)]);
        assert_eq!(
            template.render(&ports).as_deref(),
            Ok("postgres://m:m@127.0.0.1:49153/m"),
            "the placeholder must become the published host port"
        );
        assert_eq!(template.ports().collect::<Vec<_>>(), vec![5432]);
    }

    #[test]
    fn templates_name_the_port_that_was_not_published() {
        let template = SettingTemplate::parse("http://127.0.0.1:{port:9000}").expect("valid");
        assert_eq!(template.render(&BTreeMap::new()), Err(9000));
    }

    #[test]
    fn doubled_braces_are_literal() {
        let template = SettingTemplate::parse("{{x}}:{port:1}").expect("valid template");
        assert_eq!(
            template.render(&BTreeMap::from([(1, 2)])).as_deref(),
            Ok("{x}:2")
        );
    }

    #[test]
    fn malformed_templates_are_rejected() {
        for text in ["{port:}", "{port:0}", "{host}", "a{port:1", "a}b", "x\ny"] {
            assert!(
                SettingTemplate::parse(text).is_err(),
                "`{text}` must be rejected"
            );
        }
    }
}
