//! The strict `diff --git` parser: every line must belong somewhere, hunk line counts
//! must agree with their headers, and paths are checked by [`TreePath`].

use crate::challenge::path::TreePath;

use super::model::{FileChange, FilePatch, Hunk, HunkLine, Patch};
use super::render::NO_NEWLINE;

/// A patch that does not parse; `line` is 1-based in the patch text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct PatchError {
    /// Where the problem is.
    pub line: usize,
    /// What is wrong and what to write instead.
    pub message: String,
}

/// Parses a whole patch; an empty text is an empty patch.
pub fn parse(text: &str) -> Result<Patch, PatchError> {
    let mut cursor = Cursor {
        lines: text.split_inclusive('\n').collect(),
        next: 0,
    };
    let mut patch = Patch::default();
    while let Some(line) = cursor.peek() {
        if line.trim().is_empty() && patch.files.is_empty() {
            cursor.next += 1;
            continue;
        }
        let file = parse_file(&mut cursor)?;
        if patch.files.iter().any(|known| known.path == file.path) {
            return Err(cursor.error(format!(
                "`{}` appears twice; put all its hunks under one `diff --git` header",
                file.path
            )));
        }
        patch.files.push(file);
    }
    Ok(patch)
}

/// The patch's lines and the next one to read.
struct Cursor<'a> {
    lines: Vec<&'a str>,
    next: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.lines.get(self.next).copied()
    }

    fn take(&mut self) -> Option<&'a str> {
        let line = self.peek()?;
        self.next += 1;
        Some(line)
    }

    /// An error at the line last taken (or the first, before any).
    fn error(&self, message: impl Into<String>) -> PatchError {
        PatchError {
            line: self.next.max(1),
            message: message.into(),
        }
    }
}

fn strip_eol(line: &str) -> &str {
    line.strip_suffix('\n')
        .map_or(line, |rest| rest.strip_suffix('\r').unwrap_or(rest))
}

fn parse_file(cursor: &mut Cursor<'_>) -> Result<FilePatch, PatchError> {
    let header = cursor.take().map(strip_eol).unwrap_or_default();
    let Some(names) = header.strip_prefix("diff --git ") else {
        return Err(cursor.error(format!(
            "expected `diff --git a/PATH b/PATH`, found `{header}`"
        )));
    };
    let path = header_path(names).map_err(|message| cursor.error(message))?;
    let mut change = FileChange::Modify;
    let mut has_markers = false;
    while let Some(line) = cursor.peek().map(strip_eol) {
        if line.starts_with("new file mode ") {
            change = FileChange::Create;
        } else if line.starts_with("deleted file mode ") {
            change = FileChange::Delete;
        } else if line.starts_with("index ") {
        } else if let Some(old) = line.strip_prefix("--- ") {
            cursor.next += 1;
            let new_line = cursor.take().map(strip_eol).unwrap_or_default();
            let Some(new) = new_line.strip_prefix("+++ ") else {
                return Err(cursor.error("a `---` line must be followed by a `+++` line"));
            };
            check_marker(old, "a/", &path, change == FileChange::Create)
                .and_then(|()| check_marker(new, "b/", &path, change == FileChange::Delete))
                .map_err(|message| cursor.error(message))?;
            has_markers = true;
            break;
        } else if line.starts_with("diff --git ") {
            break;
        } else {
            cursor.next += 1;
            return Err(cursor.error(format!(
                "unsupported header `{line}`; only content changes, new and deleted files are allowed (no renames, mode changes or binary files)"
            )));
        }
        cursor.next += 1;
    }
    let mut hunks = Vec::new();
    if has_markers {
        while cursor.peek().is_some_and(|line| line.starts_with("@@")) {
            hunks.push(parse_hunk(cursor)?);
        }
        if hunks.is_empty() {
            return Err(cursor.error(format!("`{path}` has file markers but no hunk")));
        }
    }
    let whole_file = |hunks: &[Hunk]| {
        hunks.len() <= 1
            && hunks.iter().all(|hunk| {
                hunk.lines.iter().all(|line| match change {
                    FileChange::Create => matches!(line, HunkLine::Added(_)),
                    _ => matches!(line, HunkLine::Removed(_)),
                })
            })
    };
    match change {
        FileChange::Modify if hunks.is_empty() => {
            Err(cursor.error(format!("`{path}` has a header but no change")))
        }
        FileChange::Create | FileChange::Delete if !whole_file(&hunks) => Err(cursor.error(
            format!("a new or deleted file `{path}` must have one hunk of only added or only removed lines"),
        )),
        _ => Ok(FilePatch {
            path,
            change,
            hunks,
        }),
    }
}

/// The path of `a/X b/X` (both sides equal: renames are not supported).
fn header_path(names: &str) -> Result<TreePath, String> {
    let unsupported = || {
        format!(
            "expected `a/PATH b/PATH` with the same path twice, found `{names}`; renames are not supported"
        )
    };
    let rest = names.strip_prefix("a/").ok_or_else(unsupported)?;
    if rest.len() < 3 || rest.len() % 2 == 0 {
        return Err(unsupported());
    }
    let half = (rest.len() - 3) / 2;
    let (old, new) = (rest.get(..half), rest.get(half..));
    match (old, new.and_then(|new| new.strip_prefix(" b/"))) {
        (Some(old), Some(new)) if old == new => {
            TreePath::parse(old).map_err(|error| error.to_string())
        }
        _ => Err(unsupported()),
    }
}

/// Checks a `---`/`+++` name against the header path (or `/dev/null` when `absent`).
fn check_marker(name: &str, prefix: &str, path: &TreePath, absent: bool) -> Result<(), String> {
    let name = name.split('\t').next().unwrap_or_default();
    if absent {
        return match name {
            "/dev/null" => Ok(()),
            _ => Err(format!(
                "a new or deleted file must name /dev/null on its other side, found `{name}`"
            )),
        };
    }
    match name.strip_prefix(prefix) {
        Some(named) if named == path.as_str() => Ok(()),
        _ => Err(format!(
            "`{name}` does not name `{prefix}{path}` of its `diff --git` header"
        )),
    }
}

/// Parses `@@ -a[,b] +c[,d] @@ section` and its lines.
fn parse_hunk(cursor: &mut Cursor<'_>) -> Result<Hunk, PatchError> {
    let header = cursor.take().map(strip_eol).unwrap_or_default();
    let bad_header =
        || format!("malformed hunk header `{header}`; expected `@@ -START,COUNT +START,COUNT @@`");
    let inner = header
        .strip_prefix("@@ -")
        .ok_or_else(|| cursor.error(bad_header()))?;
    let (ranges, section) = inner
        .split_once(" @@")
        .ok_or_else(|| cursor.error(bad_header()))?;
    let (old, new) = ranges
        .split_once(" +")
        .ok_or_else(|| cursor.error(bad_header()))?;
    let (old_start, mut old_left) = range(old).ok_or_else(|| cursor.error(bad_header()))?;
    let (new_start, mut new_left) = range(new).ok_or_else(|| cursor.error(bad_header()))?;
    let mut lines: Vec<HunkLine> = Vec::new();
    while old_left > 0 || new_left > 0 {
        let Some(line) = cursor.take() else {
            return Err(cursor.error(format!(
                "hunk `{header}` ends early: {old_left} old and {new_left} new lines missing"
            )));
        };
        let (kind, text) = match line.chars().next() {
            Some(kind @ (' ' | '-' | '+')) => (kind, &line[1..]),
            Some('\n' | '\r') => (' ', &line[line.len()..]),
            _ => {
                return Err(cursor.error(format!(
                    "line `{}` inside hunk `{header}` must start with ` `, `-` or `+`",
                    strip_eol(line)
                )));
            }
        };
        let text = if text.is_empty() { "\n" } else { text };
        let (old_take, new_take) = match kind {
            ' ' => (1, 1),
            '-' => (1, 0),
            _ => (0, 1),
        };
        if old_left < old_take || new_left < new_take {
            return Err(cursor.error(format!(
                "hunk `{header}` has more lines than its header counts"
            )));
        }
        old_left -= old_take;
        new_left -= new_take;
        let text = text.to_owned();
        lines.push(match kind {
            ' ' => HunkLine::Context(text),
            '-' => HunkLine::Removed(text),
            _ => HunkLine::Added(text),
        });
        if cursor.peek().map(strip_eol) == Some(NO_NEWLINE) {
            cursor.next += 1;
            if let Some(last) = lines.last_mut() {
                let (HunkLine::Context(text) | HunkLine::Removed(text) | HunkLine::Added(text)) =
                    last;
                let trimmed = strip_eol(text).len();
                text.truncate(trimmed);
            }
        }
    }
    Ok(Hunk {
        old_start,
        new_start,
        section: section.trim_start().to_owned(),
        lines,
    })
}

/// `start[,len]`.
fn range(text: &str) -> Option<(usize, usize)> {
    match text.split_once(',') {
        Some((start, len)) => Some((start.parse().ok()?, len.parse().ok()?)),
        None => Some((text.parse().ok()?, 1)),
    }
}
