//! Unified diffs in git's `diff --git` form: the model ([`Patch`], [`FilePatch`],
//! [`Hunk`]), a strict parser and the renderer, so a patch read and written again is
//! byte-identical to one git would produce for the same change.

mod model;
mod parse;
mod render;

pub use model::{FileChange, FilePatch, Hunk, HunkLine, Patch};
pub use parse::{PatchError, parse};
