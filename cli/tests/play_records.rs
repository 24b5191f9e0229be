//! The player's records without building a workspace: tamper rules on a real git
//! repository, restoring protected files, snapshots that leave HEAD and the index alone,
//! hints one level at a time, and the glob rules of protected paths.

use std::path::Path;
use std::process::Command;

use mediaflow::challenge::diff::tree_patch;
use mediaflow::challenge::{Tree, TreePath};
use mediaflow::play::repo::{Change, WorkspaceRepo};
use mediaflow::play::tamper::{self, glob_matches};
use mediaflow::play::{PlayError, PlayerWorkspace, hints};
use mediaflow::workspace_gen::{Sources, WorkspaceState};

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

fn write(dir: &Path, path: &str, text: &str) {
    let target = dir.join(path);
    std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
    std::fs::write(target, text).expect("write");
}

/// A repository with a "challenge start" commit of a tiny workspace.
fn started() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"platform/a\"]\n",
    );
    write(root, "platform/a/src/lib.rs", "pub fn a() {}\n");
    write(root, "tests/tests/unit.rs", "#[test]\nfn t() {}\n");
    write(root, ".config/nextest.toml", "[profile.default]\n");
    write(root, ".gitignore", "/target/\n/.mediaflow/\n");
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "challenge start"]);
    dir
}

/// The repository at `root` and its start commit's tree.
fn open_at_start(root: &Path) -> (WorkspaceRepo, git2::Oid) {
    let repo = WorkspaceRepo::open(root).expect("repo");
    let start = repo
        .commit_tree(repo.start_commit(None).expect("start"))
        .expect("tree");
    (repo, start)
}

fn protected() -> Vec<String> {
    vec!["tests/**".to_owned(), ".config/nextest.toml".to_owned()]
}

#[test]
fn each_tamper_rule_names_its_file_and_ordinary_work_is_not_tampering() {
    let dir = started();
    let root = dir.path();
    let (repo, start) = open_at_start(root);

    write(
        root,
        "platform/a/src/lib.rs",
        "pub fn a() { /* fixed */ }\n",
    );
    write(root, "platform/a/src/new.rs", "pub fn helper() {}\n");
    write(
        root,
        "tests/tests/unit.rs",
        "#[test]\nfn t() { /* skipped */ }\n",
    );
    write(root, ".cargo/config.toml", "[build]\n");
    write(root, "platform/a/build.rs", "fn main() {}\n");
    write(
        root,
        "Cargo.toml",
        "[workspace]\nmembers = [\"platform/a\"]\n\n[patch.crates-io]\nserde = { path = \"x\" }\n",
    );
    std::fs::write(root.join("target-file"), "").expect("write");
    let now = repo.worktree_tree().expect("tree");

    let tampered = tamper::check(&repo, start, now, &protected()).expect("check");
    let found: Vec<(&str, Change, &str)> = tampered
        .iter()
        .map(|t| (t.path.as_str(), t.change, t.rule.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (".cargo/config.toml", Change::Added, "protected (.cargo/**)"),
            (
                "Cargo.toml",
                Change::Modified,
                "a dependency override ([patch.crates-io])"
            ),
            (
                "platform/a/build.rs",
                Change::Added,
                "an added build script"
            ),
            (
                "tests/tests/unit.rs",
                Change::Modified,
                "protected (tests/**)"
            ),
        ]
    );
}

#[test]
fn restore_puts_protected_files_back_removes_added_ones_and_leaves_the_players_work() {
    let dir = started();
    let root = dir.path();
    let (repo, start) = open_at_start(root);
    write(
        root,
        "platform/a/src/lib.rs",
        "pub fn a() { /* fixed */ }\n",
    );
    write(root, "tests/tests/unit.rs", "// gutted\n");
    std::fs::remove_file(root.join(".config/nextest.toml")).expect("rm");
    write(root, "tests/tests/extra.rs", "// added\n");

    let report = tamper::restore(&repo, root, start, &protected()).expect("restore");
    assert_eq!(
        report.restored,
        [".config/nextest.toml", "tests/tests/unit.rs"]
    );
    assert_eq!(report.removed, ["tests/tests/extra.rs"]);
    assert!(report.manual.is_empty());
    assert_eq!(
        std::fs::read_to_string(root.join("tests/tests/unit.rs")).expect("read"),
        "#[test]\nfn t() {}\n"
    );
    assert_eq!(
        std::fs::read_to_string(root.join("platform/a/src/lib.rs")).expect("read"),
        "pub fn a() { /* fixed */ }\n",
        "the player's fix stays"
    );
    let now = repo.worktree_tree().expect("tree");
    assert!(
        tamper::check(&repo, start, now, &protected())
            .expect("check")
            .is_empty()
    );
}

#[test]
fn a_snapshot_leaves_head_the_index_and_branches_as_they_were() {
    let dir = started();
    let root = dir.path();
    let index_before = std::fs::read(root.join(".git/index")).expect("index");
    let head_before = std::fs::read_to_string(root.join(".git/HEAD")).expect("HEAD");
    let main_before = std::fs::read_to_string(root.join(".git/refs/heads/main")).expect("main");
    write(
        root,
        "platform/a/src/lib.rs",
        "pub fn a() { /* work in progress */ }\n",
    );

    let repo = WorkspaceRepo::open(root).expect("repo");
    let tree = repo.worktree_tree().expect("tree");
    let commit = repo.snapshot(tree, 1, "attempt 1").expect("snapshot");

    assert_eq!(
        std::fs::read(root.join(".git/index")).expect("index"),
        index_before
    );
    assert_eq!(
        std::fs::read_to_string(root.join(".git/HEAD")).expect("HEAD"),
        head_before
    );
    assert_eq!(
        std::fs::read_to_string(root.join(".git/refs/heads/main")).expect("main"),
        main_before
    );
    assert_eq!(repo.attempt_commit(1).expect("ref"), Some(commit));
    assert_eq!(repo.commit_tree(commit).expect("tree"), tree);
    let content = repo
        .file_in(tree, "platform/a/src/lib.rs")
        .expect("read")
        .expect("present");
    assert_eq!(content, b"pub fn a() { /* work in progress */ }\n");
    assert_eq!(
        repo.worktree_tree().expect("again"),
        tree,
        "the same content gives the same tree id (the cache key)"
    );
}

/// Sources of a challenge with two bugs with hints, and a workspace state planting
/// only `active`.
fn challenge_workspace(active: &[&str]) -> (tempfile::TempDir, Sources) {
    let path = TreePath::parse("platform/a/src/lib.rs").expect("path");
    let before = Tree::from_files([(path.clone(), "pub fn a() {}\n".to_owned())]);
    let after = Tree::from_files([(path, "pub fn a() { panic!() }\n".to_owned())]);
    let patch = tree_patch(&before, &after).to_string();
    let catalog = "format_version: 1\nid: mini\ntitle: Mini\nversion: 1.0.0\ncategories:\n  \
        - { name: unit, binary: unit, weight: 1.0 }\nreward:\n  tiers:\n    \
        - { min_pass_rate: 0.0, reward: 0.0 }\n  per_category_bonus: 0.03\n  chaos_bonus: 0.1\n  \
        bonus_bugs_max: 0.1\n  efficiency: { max_bonus: 0.05, budget_attempts: 200 }\n  \
        regression_penalty: { amount: 0.15, mode: flat }\nprotected: [\"tests/**\"]\nbugs:\n  \
        - id: X1\n    title: first\n    family: X\n    service: a\n    difficulty: 1\n    \
        patch: bugs/X1.patch\n    breaks: [\"mediaflow-tests::unit money::rounds\"]\n    \
        hints: [\"nudge one\", \"location one\", \"near-fix one\"]\n  \
        - id: Y1\n    title: second\n    family: Y\n    service: a\n    difficulty: 1\n    \
        patch: bugs/Y1.patch\n    breaks: [\"mediaflow-tests::unit money::rounds\", \"mediaflow-tests::unit tax::adds\"]\n    \
        hints: [\"nudge two\", \"location two\"]\n";
    let sources = Sources::from_entries([
        (
            "challenges/mediaflow/challenge.yaml".to_owned(),
            catalog.as_bytes().to_vec(),
        ),
        (
            "challenges/mediaflow/bugs/X1.patch".to_owned(),
            patch.clone().into_bytes(),
        ),
        (
            "challenges/mediaflow/bugs/Y1.patch".to_owned(),
            patch.into_bytes(),
        ),
    ]);
    let dir = tempfile::tempdir().expect("tempdir");
    let state = WorkspaceState {
        challenge: "mini".to_owned(),
        version: "1.0.0".to_owned(),
        started_at: chrono::Utc::now(),
        bugs: active.iter().map(|id| (*id).to_owned()).collect(),
        start_commit: None,
    };
    write(dir.path(), ".mediaflow/state.json", &state.to_json());
    (dir, sources)
}

#[test]
fn hints_come_one_level_at_a_time_per_bug_and_are_counted() {
    let (dir, sources) = challenge_workspace(&["X1", "Y1"]);
    let workspace = PlayerWorkspace::open(dir.path(), &sources).expect("workspace");

    let first = hints::next(&workspace, "money::rounds").expect("hints");
    let texts: Vec<(&str, usize, usize)> = first
        .iter()
        .map(|h| (h.text.as_str(), h.level, h.levels))
        .collect();
    assert_eq!(
        texts,
        [("nudge one", 1, 3), ("nudge two", 1, 2)],
        "both bugs behind the test"
    );

    let by_full_name = hints::next(&workspace, "mediaflow-tests::unit tax::adds").expect("hints");
    assert_eq!(by_full_name.len(), 1);
    assert_eq!(by_full_name[0].text, "location two");

    let third = hints::next(&workspace, "rounds").expect("hints");
    assert_eq!(third[0].text, "location one");
    assert!(third[1].exhausted, "Y1 has no third level");
    assert_eq!(third[1].text, "location two");
    assert_eq!(hints::used(&workspace).expect("count"), 4);
}

#[test]
fn no_hint_comes_from_a_bug_that_is_not_planted_or_a_test_no_bug_breaks() {
    let (dir, sources) = challenge_workspace(&["X1"]);
    let workspace = PlayerWorkspace::open(dir.path(), &sources).expect("workspace");
    assert!(
        hints::next(&workspace, "tax::adds")
            .expect("hints")
            .is_empty(),
        "only Y1 breaks it"
    );
    assert!(
        hints::next(&workspace, "nothing::here")
            .expect("hints")
            .is_empty()
    );
    assert!(hints::next(&workspace, "").expect("hints").is_empty());
    assert_eq!(hints::used(&workspace).expect("count"), 0);
}

#[test]
fn a_workspace_of_another_challenge_version_is_refused_by_name() {
    let (dir, sources) = challenge_workspace(&["X1"]);
    let state_path = dir.path().join(".mediaflow/state.json");
    let text = std::fs::read_to_string(&state_path).expect("state");
    std::fs::write(&state_path, text.replace("1.0.0", "0.9.0")).expect("write");
    let error = PlayerWorkspace::open(dir.path(), &sources).expect_err("other version");
    assert!(matches!(error, PlayError::OtherChallenge { .. }), "{error}");
    assert!(error.to_string().contains("mini 0.9.0"), "{error}");
}

#[test]
fn protected_globs_match_whole_segments() {
    let table = [
        ("tests/**", "tests/tests/unit.rs", true),
        ("tests/**", "tests", true),
        ("tests/**", "platform/tests/x.rs", false),
        (".config/nextest.toml", ".config/nextest.toml", true),
        (".config/nextest.toml", ".config/nextest.toml.bak", false),
        ("platform/*/Cargo.toml", "platform/shared/Cargo.toml", true),
        (
            "platform/*/Cargo.toml",
            "platform/services/auth/Cargo.toml",
            false,
        ),
        ("**/build.rs", "build.rs", true),
        ("**/build.rs", "platform/a/build.rs", true),
        ("*.toml", "rust-toolchain.toml", true),
    ];
    for (pattern, path, expected) in table {
        assert_eq!(glob_matches(pattern, path), expected, "{pattern} vs {path}");
    }
}
