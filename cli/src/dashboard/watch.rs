//! Watching the platform's sources: file-system events under `platform/` (inotify on
//! Linux, via notify), filtered to files a person edits and debounced, so one save —
//! or an editor's write-rename-delete dance — becomes one re-run.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};

/// Quiet time after the last event before the change is reported.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// The folders whose changes matter, relative to the workspace root.
pub const WATCHED: &[&str] = &["platform"];

/// A running watch; dropping it stops it.
#[derive(Debug)]
pub struct Watch {
    _watcher: notify::RecommendedWatcher,
}

/// Why watching could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot watch {}: {source}; re-run by hand with `r` (or `mediaflow test`)", path.display())]
pub struct WatchError {
    /// The folder.
    pub path: PathBuf,
    /// What failed.
    pub source: notify::Error,
}

/// Watches [`WATCHED`] under `root`; `on_change` gets the changed files (relative to
/// `root`, sorted) once per burst of saves, on a thread of the watch's own.
pub fn start(
    root: &Path,
    on_change: impl Fn(Vec<String>) + Send + 'static,
) -> Result<Watch, WatchError> {
    let (sender, events) = mpsc::channel::<notify::Result<notify::Event>>();
    let mut watcher = notify::recommended_watcher(sender).map_err(|source| WatchError {
        path: root.to_owned(),
        source,
    })?;
    for dir in WATCHED {
        let path = root.join(dir);
        watcher
            .watch(&path, RecursiveMode::Recursive)
            .map_err(|source| WatchError { path, source })?;
    }
    let root = root.to_owned();
    std::thread::spawn(move || {
        // Ends when the watcher (and with it the sender) is dropped.
        while let Ok(first) = events.recv() {
            let mut changed = BTreeSet::new();
            collect(&root, first, &mut changed);
            loop {
                match events.recv_timeout(DEBOUNCE) {
                    Ok(event) => collect(&root, event, &mut changed),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            if !changed.is_empty() {
                on_change(changed.into_iter().collect());
            }
        }
    });
    Ok(Watch { _watcher: watcher })
}

fn collect(root: &Path, event: notify::Result<notify::Event>, changed: &mut BTreeSet<String>) {
    let Ok(event) = event else {
        return;
    };
    if !matches!(
        event.kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
    ) {
        return;
    }
    for path in event.paths {
        if let Some(relative) = relevant(root, &path) {
            changed.insert(relative);
        }
    }
}

/// `path` relative to `root` when it is a file a person edits: not hidden, not an
/// editor's backup or swap file, not under a `target/` folder.
pub fn relevant(root: &Path, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    let mut parts = Vec::new();
    for component in relative.components() {
        let Component::Normal(part) = component else {
            return None;
        };
        let part = part.to_str()?;
        if part.starts_with('.') || part == "target" {
            return None;
        }
        parts.push(part);
    }
    let name = parts.last()?;
    let scratch = name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.starts_with('#')
        || name.chars().all(|c| c.is_ascii_digit());
    (!scratch).then(|| parts.join("/"))
}
