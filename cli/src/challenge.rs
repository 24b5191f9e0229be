//! The challenge engine's core as a library (no printing): the catalog, bug patches and
//! their content-based application, diff generation, and the authoring operations that
//! keep patches current against the reference.
//!
//! # Layout
//! - [`catalog`]: `challenge.yaml` model, parser and validation.
//! - [`path`]: [`TreePath`], the only kind of path a patch may name.
//! - [`patch`]: unified-diff model, parser and renderer.
//! - [`tree`]: files in memory, what patches apply to.
//! - [`apply`]: applying patches by content, all or nothing.
//! - [`diff`]: writing patches from two versions of a text.
//! - [`reference`]: the committed reference (`HEAD`), read with git.
//! - [`authoring`]: `record`, `refresh`, `check`.
//! - [`verify`]: proving every bug caught by its declared tests with real runs.

pub mod apply;
pub mod authoring;
pub mod catalog;
pub mod diff;
pub mod patch;
pub mod path;
pub mod reference;
pub mod tree;
pub mod verify;

pub use apply::{ApplyError, Placement, apply, apply_all, reverse_apply};
pub use authoring::{AuthoringError, Challenge};
pub use catalog::{Catalog, CatalogError};
pub use patch::{Patch, PatchError};
pub use path::TreePath;
pub use reference::{GitReference, ReferenceError};
pub use tree::Tree;
