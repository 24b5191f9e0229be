//! The runner's own files under `.mediaflow/`: written atomically (a temporary file in
//! the same folder, then a rename), so Ctrl-C or a crash never leaves half a record.

use std::path::Path;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::PlayError;

/// Writes `bytes` to `path` atomically, creating its folder.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), PlayError> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir).map_err(PlayError::io("cannot create", dir))?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&temporary, bytes).map_err(PlayError::io("cannot write", &temporary))?;
    std::fs::rename(&temporary, path).map_err(PlayError::io("cannot replace", path))
}

/// Writes `value` as pretty JSON, atomically.
pub fn write_json(path: &Path, value: &impl Serialize) -> Result<(), PlayError> {
    let mut text = serde_json::to_string_pretty(value).map_err(|error| PlayError::Io {
        what: "cannot encode",
        path: path.to_owned(),
        source: std::io::Error::other(error),
    })?;
    text.push('\n');
    write_atomic(path, text.as_bytes())
}

/// Reads JSON from `path`: `None` when absent, an error naming the file when damaged.
pub fn read_json<T: DeserializeOwned>(path: &Path) -> Result<Option<T>, PlayError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(PlayError::io("cannot read", path)(error)),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|error| PlayError::CorruptRecord {
            path: path.to_owned(),
            message: error.to_string(),
        })
}
