//! The target directory every test that builds a generated workspace shares: the
//! registry crates compile once for all of them. Each workspace lives at a path of its
//! own, and cargo keys a path crate's artifacts by its path, so the platform crates of
//! one workspace never stand in for another's.

use std::path::{Path, PathBuf};

/// `target/player-builds` in the repository.
pub fn shared_target() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/player-builds")
}
