//! `.mediaflow/state.json`: what the runner must know about a workspace from its first
//! second: which challenge and version it is, when it started, which bugs are active
//! (ids only: titles and hints never leave the catalog).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The state file, relative to the workspace root.
pub const STATE_FILE: &str = ".mediaflow/state.json";

/// A workspace's identity and start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceState {
    /// The catalog's challenge id.
    pub challenge: String,
    /// The catalog's version, so results of different versions are never compared.
    pub version: String,
    /// When `init` generated the workspace (the time-based efficiency budget starts here).
    pub started_at: DateTime<Utc>,
    /// The active bug ids, in catalog order.
    pub bugs: Vec<String>,
    /// The id of the "challenge start" commit, once made: what tampering is checked
    /// against and attempts are compared from, whatever the player does to the history.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_commit: Option<String>,
}

impl WorkspaceState {
    /// The file's text: pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads the state from the file's text.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}
