//! Writing a [`Patch`] in git's `diff --git` form.

use std::fmt::{self, Write};

use super::model::{FileChange, FilePatch, Hunk, HunkLine, Patch};

/// The marker git writes after a line that ends the file without a newline.
pub(super) const NO_NEWLINE: &str = "\\ No newline at end of file";

/// The file mode written for created and deleted files.
const REGULAR_FILE_MODE: &str = "100644";

impl fmt::Display for Patch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.files.iter().try_for_each(|file| write!(f, "{file}"))
    }
}

impl fmt::Display for FilePatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.as_str();
        writeln!(f, "diff --git a/{path} b/{path}")?;
        match self.change {
            FileChange::Modify => {
                writeln!(f, "--- a/{path}")?;
                writeln!(f, "+++ b/{path}")?;
            }
            FileChange::Create => {
                writeln!(f, "new file mode {REGULAR_FILE_MODE}")?;
                if !self.hunks.is_empty() {
                    writeln!(f, "--- /dev/null")?;
                    writeln!(f, "+++ b/{path}")?;
                }
            }
            FileChange::Delete => {
                writeln!(f, "deleted file mode {REGULAR_FILE_MODE}")?;
                if !self.hunks.is_empty() {
                    writeln!(f, "--- a/{path}")?;
                    writeln!(f, "+++ /dev/null")?;
                }
            }
        }
        self.hunks.iter().try_for_each(|hunk| write!(f, "{hunk}"))
    }
}

impl fmt::Display for Hunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "@@ -{} +{} @@",
            range(self.old_start, self.old_len()),
            range(self.new_start, self.new_len())
        )?;
        if !self.section.is_empty() {
            write!(f, " {}", self.section)?;
        }
        f.write_char('\n')?;
        for line in &self.lines {
            let (prefix, text) = match line {
                HunkLine::Context(text) => (' ', text),
                HunkLine::Removed(text) => ('-', text),
                HunkLine::Added(text) => ('+', text),
            };
            f.write_char(prefix)?;
            f.write_str(text)?;
            if !text.ends_with('\n') {
                writeln!(f)?;
                writeln!(f, "{NO_NEWLINE}")?;
            }
        }
        Ok(())
    }
}

/// `start,len`, or just `start` for one line, as git writes ranges.
fn range(start: usize, len: usize) -> String {
    if len == 1 {
        start.to_string()
    } else {
        format!("{start},{len}")
    }
}
