//! Showing `up` progress: on a terminal a live block (one line per service and per
//! pulling layer, redrawn in place); otherwise plain lines, one per change, so logs of
//! CI runs and agents stay readable.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::sync::Mutex;

use crate::infra::events::{ContainerAction, EventSink, HealthProgress, InfraEvent};

use super::output::{Style, Tone, duration};

/// Renders [`InfraEvent`]s to a writer (stderr in the CLI).
#[derive(Debug)]
pub struct Progress<W: Write + Send> {
    /// Everything mutable, behind one lock: events come from concurrent health waits.
    state: Mutex<State<W>>,
}

#[derive(Debug)]
struct State<W> {
    out: W,
    /// Redraw in place (a terminal) or print lines.
    live: bool,
    style: Style,
    /// The live block: key → line, in first-seen order.
    block: Vec<(String, String)>,
    /// Lines of the block currently on screen.
    drawn: usize,
    /// Last status printed per pulling layer (plain mode prints changes only).
    layer_status: BTreeMap<String, String>,
    /// What happened to each service's container, shown beside its health.
    actions: BTreeMap<String, ContainerAction>,
    /// Services whose "waiting" line was already printed (plain mode).
    waiting_shown: BTreeSet<String>,
}

impl<W: Write + Send> Progress<W> {
    /// `live` redraws in place (only for a terminal).
    pub fn new(out: W, live: bool, style: Style) -> Self {
        Self {
            state: Mutex::new(State {
                out,
                live,
                style,
                block: Vec::new(),
                drawn: 0,
                layer_status: BTreeMap::new(),
                actions: BTreeMap::new(),
                waiting_shown: BTreeSet::new(),
            }),
        }
    }

    /// Returns the writer (tests read what was shown).
    pub fn into_inner(self) -> W {
        self.state
            .into_inner()
            .expect("progress state poisoned")
            .out
    }
}

impl<W: Write + Send> EventSink for Progress<W> {
    fn emit(&self, event: InfraEvent) {
        let mut state = self.state.lock().expect("progress state poisoned");
        // Progress is best effort: a closed stderr must not fail `up`.
        let _ignored = state.handle(event);
    }
}

impl<W: Write> State<W> {
    fn handle(&mut self, event: InfraEvent) -> std::io::Result<()> {
        match event {
            InfraEvent::NetworkCreated { name } => self.message(&format!("network {name} created")),
            InfraEvent::PullStarted { service, image } => {
                self.message(&format!("{service}: pulling {image} (not present locally)"))
            }
            InfraEvent::PullLayer {
                service,
                layer,
                status,
                current,
                total,
            } => {
                let key = format!("pull {service} {layer}");
                let amount = match (current, total) {
                    (Some(current), Some(total)) if total > 0 => {
                        format!(" {:.1}/{:.1} MB", bytes_to_mb(current), bytes_to_mb(total))
                    }
                    _ => String::new(),
                };
                let line = format!("  {service}: layer {layer} {status}{amount}");
                if self.live {
                    self.set_line(key, line)
                } else if self.layer_status.get(&key) != Some(&status) {
                    self.layer_status.insert(key, status);
                    self.message(&line)
                } else {
                    Ok(())
                }
            }
            InfraEvent::PullFinished { service, image } => {
                let prefix = format!("pull {service} ");
                self.block.retain(|(key, _)| !key.starts_with(&prefix));
                self.message(&format!("{service}: pulled {image}"))
            }
            InfraEvent::Removed { name } => self.message(&format!(
                "removed container {name} (its service left the spec)"
            )),
            InfraEvent::Container { service, action } => {
                self.actions.insert(service.to_string(), action);
                if self.live {
                    let waiting = self.style.paint(Tone::Busy, "waiting for health check");
                    self.set_line(
                        service.to_string(),
                        format!("{service:<20} {:<10} {waiting}", action.as_str()),
                    )
                } else {
                    self.message(&format!("{service}: container {}", action.as_str()))
                }
            }
            InfraEvent::Health { service, progress } => {
                let name = service.to_string();
                let action = self.actions.get(&name).map_or("", |action| action.as_str());
                let (text, tone) = match &progress {
                    HealthProgress::Waiting { elapsed } => (
                        format!("waiting for health check {}", duration(*elapsed)),
                        Tone::Busy,
                    ),
                    HealthProgress::Healthy { elapsed } => {
                        (format!("healthy after {}", duration(*elapsed)), Tone::Good)
                    }
                    HealthProgress::Failed { reason } => (format!("FAILED: {reason}"), Tone::Bad),
                };
                if self.live {
                    let text = self.style.paint(tone, &text);
                    self.set_line(name, format!("{service:<20} {action:<10} {text}"))
                } else if matches!(progress, HealthProgress::Waiting { .. }) {
                    if self.waiting_shown.insert(name) {
                        self.message(&format!("{service}: waiting for health check"))
                    } else {
                        Ok(())
                    }
                } else {
                    self.message(&format!("{service}: {text}"))
                }
            }
        }
    }

    /// A line that stays: printed above the live block (or simply printed).
    fn message(&mut self, line: &str) -> std::io::Result<()> {
        if self.live {
            self.clear_block()?;
            writeln!(self.out, "{line}")?;
            self.draw_block()
        } else {
            writeln!(self.out, "{line}")?;
            self.out.flush()
        }
    }

    fn set_line(&mut self, key: String, line: String) -> std::io::Result<()> {
        match self.block.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = line,
            None => self.block.push((key, line)),
        }
        self.clear_block()?;
        self.draw_block()
    }

    fn clear_block(&mut self) -> std::io::Result<()> {
        if self.drawn > 0 {
            // Cursor to the start of the block's first line, then clear to the end.
            write!(self.out, "\x1b[{}F\x1b[J", self.drawn)?;
            self.drawn = 0;
        }
        Ok(())
    }

    fn draw_block(&mut self) -> std::io::Result<()> {
        for (_, line) in &self.block {
            writeln!(self.out, "{line}")?;
        }
        self.drawn = self.block.len();
        self.out.flush()
    }
}

#[expect(
    clippy::cast_precision_loss,
    reason = "megabytes for display; a tenth of a MB is all the precision shown"
)]
fn bytes_to_mb(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::infra::ServiceName;

    fn redis() -> ServiceName {
        ServiceName::parse("redis").expect("valid")
    }

    fn run(live: bool, events: Vec<InfraEvent>) -> String {
        let progress = Progress::new(Vec::new(), live, Style { color: false });
        for event in events {
            progress.emit(event);
        }
        String::from_utf8(progress.into_inner()).expect("utf-8")
    }

    fn waiting(ms: u64) -> InfraEvent {
        InfraEvent::Health {
            service: redis(),
            progress: HealthProgress::Waiting {
                elapsed: Duration::from_millis(ms),
            },
        }
    }

    #[test]
    fn plain_output_prints_one_line_per_change_and_no_escape_codes() {
        let shown = run(
            false,
            vec![
                InfraEvent::Container {
                    service: redis(),
                    action: ContainerAction::Created,
                },
                waiting(250),
                waiting(500),
                InfraEvent::Health {
                    service: redis(),
                    progress: HealthProgress::Healthy {
                        elapsed: Duration::from_millis(2_100),
                    },
                },
            ],
        );
        assert_eq!(
            shown,
            "redis: container created\nredis: waiting for health check\nredis: healthy after 2.1s\n",
            "repeated waiting polls must not repeat lines"
        );
    }

    #[test]
    fn live_output_redraws_the_service_line_in_place() {
        let shown = run(
            true,
            vec![
                InfraEvent::Container {
                    service: redis(),
                    action: ContainerAction::Created,
                },
                waiting(400),
            ],
        );
        assert!(
            shown.contains("\x1b[1F\x1b[J"),
            "the second draw must replace the first: {shown:?}"
        );
        assert!(
            shown.ends_with("waiting for health check 0.4s\n"),
            "got {shown:?}"
        );
    }
}
