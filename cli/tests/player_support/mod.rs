//! Shared by the tests that play a generated workspace with the real binary: where the
//! repository is, and planting or removing a bug's patch in the workspace's files (how
//! these tests "fix" a bug the way a player would).

use std::path::{Path, PathBuf};

mod target;

pub use target::shared_target;

use mediaflow::challenge::patch;
use mediaflow::challenge::{Tree, apply, reverse_apply};

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the repository")
        .to_owned()
}

/// Generates (or regenerates) a workspace at `dir` with `bugs` planted, with the
/// `mediaflow` binary at `bin`.
pub fn init_workspace(bin: &str, dir: &Path, bugs: &str) {
    let init = std::process::Command::new(bin)
        .args(["init", "--bugs", bugs, "--force"])
        .arg(dir)
        .output()
        .expect("init runs");
    assert!(
        init.status.success(),
        "init: {}",
        String::from_utf8_lossy(&init.stderr)
    );
}

/// Plants (`reverse == false`) or removes bug `id`'s patch in the workspace's files.
pub fn patch_bug(workspace: &Path, id: &str, reverse: bool) {
    let text =
        std::fs::read_to_string(repo().join(format!("challenges/mediaflow/bugs/{id}.patch")))
            .expect("the bug's patch");
    let parsed = patch::parse(&text).expect("a valid patch");
    let mut tree = Tree::new();
    for file in &parsed.files {
        let content = std::fs::read_to_string(file.path.under(workspace)).expect("patched file");
        tree.insert(file.path.clone(), content);
    }
    if reverse {
        reverse_apply(&mut tree, &parsed, id).expect("the bug is planted");
    } else {
        apply(&mut tree, &parsed, id).expect("the bug applies");
    }
    for (path, content) in tree.iter() {
        std::fs::write(path.under(workspace), content).expect("write");
    }
}
