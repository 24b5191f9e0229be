//! `mediaflow init` as a library: the generated tree is the reference with only the
//! planted files changed, nothing of the challenge leaks into it, git holds one commit,
//! the state is right, `--force` follows its rules and seeded subsets are reproducible.

mod init_support;

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use init_support::{Planted, read_tree, repo, sources_with_bugs};
use mediaflow::workspace_gen::{
    self, GenerateError, InitOptions, STATE_FILE, Selection, Sources, WorkspaceState,
};

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 14, 9, 26, 53)
        .single()
        .expect("a valid instant")
}

fn options(selection: Selection) -> InitOptions {
    InitOptions {
        selection,
        force: false,
        started_at: start(),
    }
}

fn generate(sources: &Sources, selection: Selection) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    workspace_gen::init(sources, dir.path(), &options(selection)).expect("init succeeds");
    dir
}

fn state(dir: &Path) -> WorkspaceState {
    let text = std::fs::read_to_string(dir.join(STATE_FILE)).expect("the state file exists");
    WorkspaceState::from_json(&text).expect("the state file parses")
}

#[test]
fn the_workspace_is_the_reference_except_the_files_the_selected_bugs_patch() {
    let (sources, bugs) = sources_with_bugs();
    let dir = generate(&sources, Selection::Ids(vec!["G7".into(), "L5".into()]));
    let generated = read_tree(dir.path());
    let reference = Sources::from_dir(&repo()).expect("reference");
    let generated_only = [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        ".gitignore",
        STATE_FILE,
    ];
    for (path, content) in reference.iter() {
        if path.starts_with("challenges/") || generated_only.contains(&path) {
            continue;
        }
        let planted = bugs.iter().find(|bug| bug.file == path && bug.id != "C9");
        let expected = planted.map_or(content, |bug: &Planted| bug.buggy.as_bytes());
        assert_eq!(
            generated.get(path).map(Vec::as_slice),
            Some(expected),
            "{path} must be {} in the workspace",
            if planted.is_some() {
                "the planted version"
            } else {
                "the reference, unchanged"
            }
        );
    }
    let unexpected: Vec<&String> = generated
        .keys()
        .filter(|path| reference.get(path).is_none() && !generated_only.contains(&path.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "files outside the reference: {unexpected:?}"
    );
    let manifest = String::from_utf8_lossy(&generated["Cargo.toml"]).into_owned();
    assert!(
        manifest.contains(
            r#"members = ["platform/shared", "platform/services/*", "platform/dev", "tests"]"#
        ),
        "the workspace's members are the platform crates and the tests: {manifest}"
    );
    for runner_only in ["\"cli\"", "bollard", "clap", "git2", "serde_yaml"] {
        assert!(
            !manifest.contains(runner_only),
            "the runner's {runner_only} must not be in the workspace manifest"
        );
    }
}

#[test]
fn no_byte_of_the_workspace_names_the_catalog_a_patch_a_hint_or_a_bug_title() {
    let (sources, bugs) = sources_with_bugs();
    let dir = generate(&sources, Selection::All);
    let mut needles: Vec<&str> = vec!["challenge.yaml", "diff --git", "+++ b/", "challenges/"];
    for bug in &bugs {
        needles.push(bug.title);
        needles.extend(bug.hints);
    }
    for (path, content) in read_tree(dir.path()) {
        for needle in &needles {
            assert!(
                !content
                    .windows(needle.len())
                    .any(|window| window == needle.as_bytes()),
                "{path} reveals `{needle}`; a workspace must hold no catalog, patch or hint text"
            );
        }
    }
    let readme = std::fs::read_to_string(dir.path().join("README.md")).expect("README");
    for bug in &bugs {
        assert!(
            !readme.contains(&format!("{} ", bug.id)) && !readme.contains(&format!("`{}`", bug.id)),
            "the README must not name bug {}",
            bug.id
        );
    }
}

#[test]
fn git_holds_exactly_one_commit_on_main_with_every_file_but_the_ignored_ones() {
    let (sources, _) = sources_with_bugs();
    let dir = generate(&sources, Selection::All);
    let repo = git2::Repository::open(dir.path()).expect("a git repository");
    let head = repo.head().expect("HEAD");
    assert_eq!(
        head.shorthand().ok(),
        Some("main"),
        "the branch must be main"
    );
    let commit = head.peel_to_commit().expect("a commit");
    assert_eq!(commit.message().ok(), Some("challenge start"));
    assert_eq!(commit.parent_count(), 0, "the start commit has no parent");
    assert_eq!(
        commit.time().seconds(),
        start().timestamp(),
        "committed at the start time"
    );
    let mut walk = repo.revwalk().expect("revwalk");
    walk.push_head().expect("push HEAD");
    assert_eq!(walk.count(), 1, "history must hold exactly one commit");
    let statuses = repo.statuses(None).expect("status");
    let dirty: Vec<String> = statuses
        .iter()
        .filter(|entry| !entry.status().is_ignored())
        .filter_map(|entry| entry.path().ok().map(str::to_owned))
        .collect();
    assert!(
        dirty.is_empty(),
        "everything but ignored files is committed: {dirty:?}"
    );
    let tree = commit.tree().expect("tree");
    assert!(
        tree.get_path(Path::new("platform/shared/Cargo.toml"))
            .is_ok()
    );
    assert!(
        tree.get_path(Path::new(STATE_FILE)).is_err(),
        "the runner's state is ignored, not committed"
    );
}

#[test]
fn the_state_records_the_challenge_the_start_and_the_active_ids_in_catalog_order() {
    let (sources, _) = sources_with_bugs();
    let dir = generate(&sources, Selection::Ids(vec!["L5".into(), "G7".into()]));
    let state = state(dir.path());
    let shipped = sources.challenge().expect("challenge").catalog;
    assert_eq!(state.challenge, shipped.id);
    assert_eq!(state.version, shipped.version);
    assert_eq!(state.started_at, start());
    assert_eq!(
        state.bugs,
        ["G7", "L5"],
        "ids in catalog order, whatever order was asked"
    );
}

#[test]
fn a_non_empty_directory_is_refused_without_force_and_regenerated_with_it() {
    let (sources, _) = sources_with_bugs();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("notes.txt"), "mine").expect("write");
    let refused = workspace_gen::init(&sources, dir.path(), &options(Selection::All))
        .expect_err("a non-empty directory without --force");
    assert!(
        matches!(refused, GenerateError::NotEmpty { .. }),
        "got {refused}"
    );
    assert!(
        refused.to_string().contains("--force"),
        "the message names the way out"
    );
    assert!(
        dir.path().join("notes.txt").exists(),
        "a refusal touches nothing"
    );

    std::fs::create_dir_all(dir.path().join("target/debug")).expect("mkdir");
    std::fs::write(dir.path().join("target/debug/cache"), "warm").expect("write");
    let forced = InitOptions {
        force: true,
        ..options(Selection::Ids(vec!["C9".into()]))
    };
    workspace_gen::init(&sources, dir.path(), &forced).expect("--force regenerates");
    assert!(
        !dir.path().join("notes.txt").exists(),
        "--force replaces what was there"
    );
    assert!(
        dir.path().join("target/debug/cache").exists(),
        "--force keeps the build cache"
    );
    assert_eq!(state(dir.path()).bugs, ["C9"]);

    workspace_gen::init(&sources, dir.path(), &forced).expect("a workspace can be reset");
    let repo = git2::Repository::open(dir.path()).expect("repo");
    let mut walk = repo.revwalk().expect("revwalk");
    walk.push_head().expect("HEAD");
    assert_eq!(
        walk.count(),
        1,
        "a reset starts history again with one commit"
    );
}

#[test]
fn force_never_deletes_a_git_repository_that_is_not_a_workspace() {
    let (sources, _) = sources_with_bugs();
    let dir = tempfile::tempdir().expect("tempdir");
    git2::Repository::init(dir.path()).expect("someone's repository");
    std::fs::write(dir.path().join("work.rs"), "fn main() {}").expect("write");
    let forced = InitOptions {
        force: true,
        ..options(Selection::All)
    };
    let refused = workspace_gen::init(&sources, dir.path(), &forced).expect_err("refused");
    assert!(
        matches!(refused, GenerateError::ForeignRepository { .. }),
        "got {refused}"
    );
    assert!(dir.path().join(".git").is_dir() && dir.path().join("work.rs").is_file());
}

#[test]
fn a_seeded_subset_is_reproducible_and_kept_in_catalog_order() {
    let (sources, _) = sources_with_bugs();
    let catalog = sources.challenge().expect("challenge").catalog;
    let draw = |seed| {
        workspace_gen::select(&catalog, &Selection::Seeded { seed, count: 2 }).expect("draw")
    };
    let order = ["G7", "C9", "L5"];
    for seed in 0..20 {
        let first = draw(seed);
        assert_eq!(
            first,
            draw(seed),
            "seed {seed} must always draw the same bugs"
        );
        assert_eq!(first.len(), 2);
        let positions: Vec<usize> = first
            .iter()
            .map(|id| {
                order
                    .iter()
                    .position(|known| known == id)
                    .expect("a catalog id")
            })
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "catalog order: {first:?}"
        );
    }
    let distinct: std::collections::BTreeSet<Vec<String>> = (0..20).map(draw).collect();
    assert!(
        distinct.len() > 1,
        "different seeds must draw different subsets"
    );

    let one = generate(&sources, Selection::Seeded { seed: 7, count: 2 });
    let two = generate(&sources, Selection::Seeded { seed: 7, count: 2 });
    assert_eq!(state(one.path()).bugs, draw(7));
    assert_eq!(
        read_tree(one.path()),
        read_tree(two.path()),
        "same seed, same workspace"
    );
}

#[test]
fn unknown_ids_and_oversized_counts_are_refused_with_the_way_out() {
    let (sources, _) = sources_with_bugs();
    let dir = tempfile::tempdir().expect("tempdir");
    let unknown = workspace_gen::init(
        &sources,
        dir.path(),
        &options(Selection::Ids(vec!["Z1".into()])),
    )
    .expect_err("unknown id");
    assert!(
        unknown.to_string().contains("known: G7, C9, L5"),
        "got {unknown}"
    );
    let too_many = workspace_gen::init(
        &sources,
        dir.path(),
        &options(Selection::Seeded { seed: 1, count: 4 }),
    )
    .expect_err("too many");
    assert!(too_many.to_string().contains("at most 3"), "got {too_many}");
    assert!(
        std::fs::read_dir(dir.path()).expect("dir").next().is_none(),
        "a refused init writes nothing"
    );
}

#[test]
fn the_embedded_sources_are_the_repository_sources() {
    let embedded = Sources::embedded().expect("the binary embeds its sources");
    let checkout = Sources::from_dir(&repo()).expect("the checkout");
    let differing: Vec<&str> = checkout
        .iter()
        .filter(|(path, content)| embedded.get(path) != Some(*content))
        .map(|(path, _)| path)
        .collect();
    assert!(
        differing.is_empty(),
        "rebuild: embedded sources are stale for {differing:?}"
    );
    assert!(embedded.get("platform/shared/Cargo.toml").is_some());
    assert!(embedded.get(".config/nextest.toml").is_some());
    assert!(
        embedded
            .iter()
            .all(|(path, _)| !path.contains("/target/") && !path.starts_with("cli/")),
        "no build output and no runner code is embedded"
    );
}
