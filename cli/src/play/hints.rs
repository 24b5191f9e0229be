//! Hints, one level at a time (nudge → location → near-fix), for the planted bugs behind
//! a failing test. Which levels were shown is kept in `.mediaflow/hints.json` and counted
//! in the score report. The bug's id and title are never shown.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::runner::TestId;

use super::error::PlayError;
use super::files::{read_json, write_json};
use super::workspace::PlayerWorkspace;

/// Levels shown per bug, `.mediaflow/hints.json`.
const HINTS_FILE: &str = "hints.json";

#[derive(Debug, Default, Serialize, Deserialize)]
struct Shown {
    /// Bug id → levels shown.
    shown: BTreeMap<String, usize>,
}

/// One hint shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hint {
    /// The full name of the test it is for.
    pub test: String,
    /// 1-based level.
    pub level: usize,
    /// Levels this bug has.
    pub levels: usize,
    /// The hint.
    pub text: String,
    /// Whether this was already the last level (shown again).
    pub exhausted: bool,
}

/// The next hint of every planted bug behind the test `query` names (its full name,
/// its path inside the binary, or a unique end of it). Empty when no planted bug is
/// known to break that test.
pub fn next(workspace: &PlayerWorkspace, query: &str) -> Result<Vec<Hint>, PlayError> {
    let path = workspace.state_dir().join(HINTS_FILE);
    let mut shown: Shown = read_json(&path)?.unwrap_or_default();
    let query = query.trim();
    let mut hints = Vec::new();
    for bug in workspace.active_bugs() {
        let Some(test) = bug.breaks.iter().find(|test| matches(test, query)) else {
            continue;
        };
        if bug.hints.is_empty() {
            continue;
        }
        let seen = shown.shown.entry(bug.id.to_string()).or_default();
        let exhausted = *seen >= bug.hints.len();
        let level = if exhausted {
            bug.hints.len()
        } else {
            *seen + 1
        };
        *seen = level;
        hints.push(Hint {
            test: test.clone(),
            level,
            levels: bug.hints.len(),
            text: bug.hints[level - 1].clone(),
            exhausted,
        });
    }
    if !hints.is_empty() {
        write_json(&path, &shown)?;
    }
    Ok(hints)
}

/// How many hint levels have been shown in all.
pub fn used(workspace: &PlayerWorkspace) -> Result<usize, PlayError> {
    let shown: Shown = read_json(&workspace.state_dir().join(HINTS_FILE))?.unwrap_or_default();
    Ok(shown.shown.values().sum())
}

/// Whether declared test `full` is the one `query` names.
fn matches(full: &str, query: &str) -> bool {
    if query.is_empty() {
        return false;
    }
    if full == query {
        return true;
    }
    let Some(id) = TestId::parse(full) else {
        return false;
    };
    id.name == query || id.name.ends_with(&format!("::{query}"))
}
