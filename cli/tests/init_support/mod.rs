//! Shared by the `init_*` tests: the repository's sources with a synthetic challenge of
//! planted bugs (the shipped catalog may hold none), and reading a workspace back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mediaflow::challenge::diff::tree_patch;
use mediaflow::challenge::{Tree, TreePath};
use mediaflow::workspace_gen::Sources;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli lives in the repository")
        .to_owned()
}

/// One planted bug of the synthetic challenge.
#[derive(Debug, Clone)]
pub struct Planted {
    /// Its id.
    pub id: &'static str,
    /// Its title (must never reach a workspace).
    pub title: &'static str,
    /// Its hints (must never reach a workspace).
    pub hints: [&'static str; 2],
    /// The file it changes.
    pub file: String,
    /// The file's content with the bug.
    pub buggy: String,
}

/// The bugs of the synthetic challenge, each changing one distinct platform file.
pub fn planted(sources: &Sources) -> Vec<Planted> {
    let files: Vec<String> = sources
        .iter()
        .map(|(path, _)| path.to_owned())
        .filter(|path| path.starts_with("platform/shared/src/") && path.ends_with(".rs"))
        .take(3)
        .collect();
    assert_eq!(
        files.len(),
        3,
        "the shared crate has source files to plant bugs in"
    );
    let specs = [
        (
            "G7",
            "quokka tallies drift apart",
            ["zebrine nudge", "ocelot near-fix"],
        ),
        (
            "C9",
            "marmoset breaker never closes",
            ["tapir nudge", "narwhal location"],
        ),
        (
            "L5",
            "axolotl startup cycle",
            ["pangolin nudge", "okapi near-fix"],
        ),
    ];
    specs
        .into_iter()
        .zip(files)
        .map(|((id, title, hints), file)| {
            let original = String::from_utf8(sources.get(&file).expect("listed").to_vec())
                .expect("sources are text");
            let buggy = original.replacen('\n', "\nconst _PLANTED: u8 = 1;\n", 1);
            Planted {
                id,
                title,
                hints,
                file,
                buggy,
            }
        })
        .collect()
}

/// The repository's sources with the challenge replaced by [`planted`] bugs.
pub fn sources_with_bugs() -> (Sources, Vec<Planted>) {
    let mut sources = Sources::from_dir(&repo()).expect("the repository's sources");
    let bugs = planted(&sources);
    sources.clear_challenge();
    let mut catalog = catalog_head();
    for bug in &bugs {
        let path = TreePath::parse(&bug.file).expect("a tree path");
        let original =
            String::from_utf8(sources.get(&bug.file).expect("listed").to_vec()).expect("text");
        let before = Tree::from_files([(path.clone(), original)]);
        let after = Tree::from_files([(path, bug.buggy.clone())]);
        let patch = tree_patch(&before, &after).to_string();
        sources.insert(format!("challenges/mediaflow/bugs/{}.patch", bug.id), patch);
        catalog.push_str(&format!(
            "  - id: {id}\n    title: {title}\n    family: {family}\n    service: shared\n    \
             difficulty: 2\n    patch: bugs/{id}.patch\n    \
             breaks: [\"mediaflow-tests::unit planted::{id}\"]\n    \
             hints: [\"{h1}\", \"{h2}\"]\n",
            id = bug.id,
            title = bug.title,
            family = &bug.id[..1],
            h1 = bug.hints[0],
            h2 = bug.hints[1],
        ));
    }
    sources.insert("challenges/mediaflow/challenge.yaml", catalog);
    (sources, bugs)
}

/// The shipped catalog without its bugs list.
fn catalog_head() -> String {
    let shipped = std::fs::read_to_string(repo().join("challenges/mediaflow/challenge.yaml"))
        .expect("the shipped catalog");
    let head = shipped
        .split("\nbugs:")
        .next()
        .expect("the catalog has a bugs list");
    format!("{head}\nbugs:\n")
}

/// Every file below `dir` except `.git/`, by `/`-separated relative path.
pub fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(at) = pending.pop() {
        for entry in std::fs::read_dir(&at).expect("readable") {
            let entry = entry.expect("entry");
            let path = entry.path();
            if entry.file_name() == ".git" {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).expect("below").to_string_lossy();
                files.insert(
                    relative.replace('\\', "/"),
                    std::fs::read(&path).expect("read"),
                );
            }
        }
    }
    files
}
