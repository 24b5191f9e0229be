//! Errors of reading a catalog: unreadable, not valid YAML for the format (with line and
//! column), or breaking a rule (each problem naming where).

use std::fmt;
use std::path::{Path, PathBuf};

/// One broken rule: where (`bug G2, field hints`) and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The section, bug and field concerned.
    pub at: String,
    /// What is wrong and what to write instead.
    pub message: String,
}

impl Problem {
    /// A problem at `at`.
    pub fn new(at: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            at: at.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// Reading a catalog failed.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The file could not be read.
    #[error("cannot read {}: {source}; check the challenge folder (--challenge DIR)", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The YAML does not fit the format; line and column are 1-based.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// Line of the offending value.
        line: usize,
        /// Column of the offending value.
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// The catalog parses but breaks rules.
    #[error("{}: {} problem(s): {}", path.display(), problems.len(), list(problems))]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Every rule broken, in catalog order.
        problems: Vec<Problem>,
    },
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl CatalogError {
    /// A YAML error as file:line:column without the parser's own position suffix.
    pub fn from_yaml(path: &Path, error: &serde_yaml::Error) -> Self {
        let mut message = error.to_string();
        let (line, column) = match error.location() {
            Some(location) => {
                let suffix = format!(" at line {} column {}", location.line(), location.column());
                if let Some(stripped) = message.strip_suffix(&suffix) {
                    message = stripped.to_owned();
                }
                (location.line(), location.column())
            }
            None => (1, 1),
        };
        Self::Syntax {
            path: path.to_owned(),
            line,
            column,
            message,
        }
    }
}
