//! Terminal conventions shared by the commands: colour only on a terminal and without
//! `NO_COLOR`, durations and ports spelled one way.

use std::time::Duration;

use crate::host::HostEnv;
use crate::infra::status::PublishedPort;

/// Colours a word can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Done, healthy.
    Good,
    /// In progress.
    Busy,
    /// Failed.
    Bad,
}

/// How to style output for one stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Whether ANSI colours are used.
    pub color: bool,
}

impl Style {
    /// Colours for stdout when it is a terminal and `NO_COLOR` is unset.
    pub fn stdout(host: &HostEnv) -> Self {
        Self {
            color: host.stdout_is_terminal && !host.no_color,
        }
    }

    /// Colours for stderr when it is a terminal and `NO_COLOR` is unset.
    pub fn stderr(host: &HostEnv) -> Self {
        Self {
            color: host.stderr_is_terminal && !host.no_color,
        }
    }

    /// `text` in the tone's colour (or plain).
    pub fn paint(self, tone: Tone, text: &str) -> String {
        if !self.color {
            return text.to_owned();
        }
        let code = match tone {
            Tone::Good => 32,
            Tone::Busy => 33,
            Tone::Bad => 31,
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}

/// `4.2s` under a minute, `3m 05s` above.
pub fn duration(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs();
    if seconds < 60 {
        format!("{:.1}s", elapsed.as_secs_f64())
    } else if seconds < 3600 {
        format!("{}m {:02}s", seconds / 60, seconds % 60)
    } else {
        format!("{}h {:02}m", seconds / 3600, (seconds % 3600) / 60)
    }
}

/// `127.0.0.1:49153->5432, 127.0.0.1:49154->15672`, or `-`.
pub fn ports(ports: &[PublishedPort]) -> String {
    if ports.is_empty() {
        return "-".to_owned();
    }
    ports
        .iter()
        .map(|p| format!("{}:{}->{}", p.host_ip, p.host, p.container))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally_at_every_scale() {
        assert_eq!(duration(Duration::from_millis(4_200)), "4.2s");
        assert_eq!(duration(Duration::from_secs(185)), "3m 05s");
        assert_eq!(duration(Duration::from_secs(7_260)), "2h 01m");
    }

    #[test]
    fn colour_is_only_used_when_enabled() {
        assert_eq!(
            Style { color: false }.paint(Tone::Good, "healthy"),
            "healthy"
        );
        assert_eq!(
            Style { color: true }.paint(Tone::Bad, "x"),
            "\x1b[31mx\x1b[0m"
        );
    }
}
