//! Errors of reading the spec: a value that does not parse, and a file that cannot be
//! read or is not a valid spec (with file, line and column).

use std::path::{Path, PathBuf};

/// A value in the spec (or a flag) that does not parse; the message says what is expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InvalidValue {
    /// Lowercase fragment naming the value and what a valid one looks like.
    message: String,
}

impl InvalidValue {
    /// Wraps a message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

/// Reading or parsing a spec (or the workspace config, which shares the format) failed.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The file could not be read.
    #[error("cannot read {}: {source}; check that the file exists and is readable", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not a valid spec; line and column are 1-based.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Line of the offending value.
        line: usize,
        /// Column of the offending value.
        column: usize,
        /// What is wrong and what to write instead.
        message: String,
    },
}

impl SpecError {
    /// Turns a YAML error into a file:line:column error without the parser's own suffix.
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
        Self::Invalid {
            path: path.to_owned(),
            line,
            column,
            message,
        }
    }
}
