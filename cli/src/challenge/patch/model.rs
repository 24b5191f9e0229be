//! The patch model. Lines keep their terminator (`"x\n"`); a line without one is the
//! file's last line without a newline, which is how the `\ No newline at end of file`
//! marker is represented, so matching and joining need no special cases.

use crate::challenge::path::TreePath;

/// Every file change of one patch, in the order written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Patch {
    /// The files, each at most once.
    pub files: Vec<FilePatch>,
}

/// What happens to a file as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileChange {
    /// The file exists before and after.
    Modify,
    /// The file is new (`--- /dev/null`); its single hunk holds only added lines.
    Create,
    /// The file is removed (`+++ /dev/null`); its single hunk holds only removed lines.
    Delete,
}

/// The change to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePatch {
    /// The file, the same before and after (renames are not supported).
    pub path: TreePath,
    /// Modify, create or delete.
    pub change: FileChange,
    /// The hunks in file order.
    pub hunks: Vec<Hunk>,
}

/// One `@@` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// The stated first line of the pre-image (1-based; for an empty pre-image, the line
    /// after which the post-image goes, as diff writes it).
    pub old_start: usize,
    /// The stated first line of the post-image, same convention.
    pub new_start: usize,
    /// The text after the second `@@` (often a function signature), kept for rendering.
    pub section: String,
    /// Context, removed and added lines in order.
    pub lines: Vec<HunkLine>,
}

/// A line of a hunk, with its terminator (none only for a file's last line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HunkLine {
    /// In both versions (` `).
    Context(String),
    /// Only in the old version (`-`).
    Removed(String),
    /// Only in the new version (`+`).
    Added(String),
}

impl Patch {
    /// The patch that undoes this one (applying both in turn restores the original).
    pub fn reversed(&self) -> Self {
        Self {
            files: self.files.iter().map(FilePatch::reversed).collect(),
        }
    }

    /// The number of hunks over all files.
    pub fn hunk_count(&self) -> usize {
        self.files.iter().map(|file| file.hunks.len()).sum()
    }
}

impl FilePatch {
    /// The change that undoes this one.
    pub fn reversed(&self) -> Self {
        Self {
            path: self.path.clone(),
            change: match self.change {
                FileChange::Modify => FileChange::Modify,
                FileChange::Create => FileChange::Delete,
                FileChange::Delete => FileChange::Create,
            },
            hunks: self.hunks.iter().map(Hunk::reversed).collect(),
        }
    }
}

impl Hunk {
    /// The lines the file holds before the change (context and removed).
    pub fn pre_image(&self) -> Vec<&str> {
        self.lines
            .iter()
            .filter_map(|line| match line {
                HunkLine::Context(text) | HunkLine::Removed(text) => Some(text.as_str()),
                HunkLine::Added(_) => None,
            })
            .collect()
    }

    /// The lines the file holds after the change (context and added).
    pub fn post_image(&self) -> Vec<&str> {
        self.lines
            .iter()
            .filter_map(|line| match line {
                HunkLine::Context(text) | HunkLine::Added(text) => Some(text.as_str()),
                HunkLine::Removed(_) => None,
            })
            .collect()
    }

    /// The pre-image's line count, as in the header.
    pub fn old_len(&self) -> usize {
        self.pre_image().len()
    }

    /// The post-image's line count, as in the header.
    pub fn new_len(&self) -> usize {
        self.post_image().len()
    }

    /// The 0-based index in the old file where the pre-image is stated to start.
    pub fn stated_index(&self) -> usize {
        if self.old_len() == 0 {
            self.old_start
        } else {
            self.old_start.saturating_sub(1)
        }
    }

    /// The hunk that undoes this one.
    pub fn reversed(&self) -> Self {
        Self {
            old_start: self.new_start,
            new_start: self.old_start,
            section: self.section.clone(),
            lines: self
                .lines
                .iter()
                .map(|line| match line {
                    HunkLine::Context(text) => HunkLine::Context(text.clone()),
                    HunkLine::Removed(text) => HunkLine::Added(text.clone()),
                    HunkLine::Added(text) => HunkLine::Removed(text.clone()),
                })
                .collect(),
        }
    }
}
