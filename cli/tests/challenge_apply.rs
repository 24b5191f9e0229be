//! Applying patches by content: exact, shifted, ambiguous and missing hunks, running
//! offsets across hunks, new and deleted files, no-newline markers, all-or-nothing,
//! several bugs in order, and reverse application.

use mediaflow::challenge::apply::{ApplyError, apply, apply_all, reverse_apply};
use mediaflow::challenge::patch::{self, Patch};
use mediaflow::challenge::{Tree, TreePath};

fn path(raw: &str) -> TreePath {
    TreePath::parse(raw).expect("valid path")
}

fn tree(files: &[(&str, &str)]) -> Tree {
    Tree::from_files(files.iter().map(|(p, t)| (path(p), (*t).to_owned())))
}

fn numbered(lines: std::ops::RangeInclusive<u32>) -> String {
    lines.map(|n| format!("line {n}\n")).collect()
}

fn parse(text: &str) -> Patch {
    patch::parse(text).expect("test patch parses")
}

/// Changes `line 5` of `platform/f.rs`, stated at lines 2..=8.
const CHANGE_FIVE: &str = "\
diff --git a/platform/f.rs b/platform/f.rs
--- a/platform/f.rs
+++ b/platform/f.rs
@@ -2,7 +2,7 @@
 line 2
 line 3
 line 4
-line 5
+line five
 line 6
 line 7
 line 8
";

#[test]
fn a_hunk_applies_exactly_at_its_stated_line() {
    let mut files = tree(&[("platform/f.rs", &numbered(1..=10))]);
    apply(&mut files, &parse(CHANGE_FIVE), "X1").expect("applies");
    let expected = numbered(1..=10).replace("line 5\n", "line five\n");
    assert_eq!(files.get(&path("platform/f.rs")), Some(expected.as_str()));
}

#[test]
fn a_hunk_still_applies_when_the_file_moved_by_some_lines() {
    for shift in [1, 3, 17] {
        let header: String = (0..shift).map(|n| format!("// header {n}\n")).collect();
        let original = format!("{header}{}", numbered(1..=10));
        let mut files = tree(&[("platform/f.rs", &original)]);
        apply(&mut files, &parse(CHANGE_FIVE), "X1")
            .unwrap_or_else(|e| panic!("a shift of {shift} lines must be tolerated: {e}"));
        assert_eq!(
            files.get(&path("platform/f.rs")),
            Some(original.replace("line 5\n", "line five\n").as_str())
        );
    }
}

#[test]
fn a_hunk_whose_text_is_gone_is_reported_with_bug_file_and_number() {
    let mut files = tree(&[(
        "platform/f.rs",
        &numbered(1..=10).replace("line 4", "line four"),
    )]);
    let before = files.clone();
    let error = apply(&mut files, &parse(CHANGE_FIVE), "G2").expect_err("no match");
    assert_eq!(
        error.to_string().split(';').next(),
        Some("hunk 1 of platform/f.rs does not match (bug G2)")
    );
    assert_eq!(
        files, before,
        "a failed apply must leave the tree unchanged"
    );
}

#[test]
fn a_hunk_found_twice_away_from_its_line_is_ambiguous() {
    let block = numbered(2..=8);
    let original = format!("a\nb\n{block}c\n{block}d\n");
    let mut files = tree(&[("platform/f.rs", &original)]);
    let error = apply(&mut files, &parse(CHANGE_FIVE), "H1").expect_err("ambiguous");
    assert_eq!(
        error,
        ApplyError::Ambiguous {
            bug: "H1".to_owned(),
            file: path("platform/f.rs"),
            hunk: 1,
            lines: vec![3, 11],
        }
    );
    assert_eq!(
        error.to_string(),
        "hunk 1 of platform/f.rs matches at lines 3, 11 (bug H1): add context"
    );
}

#[test]
fn a_repeated_pre_image_is_not_ambiguous_when_it_sits_at_the_stated_line() {
    let original = format!("line 1\n{}{}", numbered(2..=10), numbered(2..=8));
    let mut files = tree(&[("platform/f.rs", &original)]);
    apply(&mut files, &parse(CHANGE_FIVE), "X1").expect("the stated line wins");
    let got = files.get(&path("platform/f.rs")).expect("file");
    assert!(
        got.starts_with("line 1\nline 2\nline 3\nline 4\nline five\n"),
        "the first copy (at the stated line) must change: {got}"
    );
}

#[test]
fn later_hunks_follow_the_drift_of_earlier_ones() {
    let text = "\
diff --git a/platform/f.rs b/platform/f.rs
--- a/platform/f.rs
+++ b/platform/f.rs
@@ -1,2 +1,3 @@
 line 1
+inserted
 line 2
@@ -20,3 +21,3 @@
 line 19
-line 20
+line twenty
 line 21
";
    let original = format!("extra\nextra\n{}", numbered(1..=30));
    let mut files = tree(&[("platform/f.rs", &original)]);
    apply(&mut files, &parse(text), "X1").expect("both hunks apply");
    let expected = original
        .replace("line 1\n", "line 1\ninserted\n")
        .replace("line 20\n", "line twenty\n");
    assert_eq!(files.get(&path("platform/f.rs")), Some(expected.as_str()));
}

#[test]
fn hunks_apply_in_order_and_a_later_one_cannot_match_before_an_earlier_one() {
    let text = "\
diff --git a/platform/f.rs b/platform/f.rs
--- a/platform/f.rs
+++ b/platform/f.rs
@@ -5,1 +5,1 @@
-line 5
+five
@@ -2,1 +2,1 @@
-line 2
+two
";
    let mut files = tree(&[("platform/f.rs", &numbered(1..=6))]);
    let error = apply(&mut files, &parse(text), "X1").expect_err("out of order");
    assert!(
        matches!(error, ApplyError::Missing { hunk: 2, .. }),
        "hunk 2 lies before hunk 1: {error}"
    );
}

#[test]
fn new_and_deleted_files_apply_and_conflict_when_the_tree_disagrees() {
    let text = "\
diff --git a/platform/new.rs b/platform/new.rs
new file mode 100644
--- /dev/null
+++ b/platform/new.rs
@@ -0,0 +1 @@
+fresh
diff --git a/platform/old.rs b/platform/old.rs
deleted file mode 100644
--- a/platform/old.rs
+++ /dev/null
@@ -1 +0,0 @@
-gone
";
    let patch = parse(text);
    let mut files = tree(&[("platform/old.rs", "gone\n")]);
    apply(&mut files, &patch, "X1").expect("applies");
    assert_eq!(files.get(&path("platform/new.rs")), Some("fresh\n"));
    assert_eq!(files.get(&path("platform/old.rs")), None, "deleted");

    let mut exists = tree(&[("platform/old.rs", "gone\n"), ("platform/new.rs", "x\n")]);
    assert!(matches!(
        apply(&mut exists, &patch, "X1"),
        Err(ApplyError::AlreadyExists { .. })
    ));
    let mut changed = tree(&[("platform/old.rs", "gone\nand more\n")]);
    let before = changed.clone();
    assert!(
        matches!(
            apply(&mut changed, &patch, "X1"),
            Err(ApplyError::Missing { .. })
        ),
        "deleting a file whose content differs must not succeed"
    );
    assert_eq!(
        changed, before,
        "nothing is created when another file fails"
    );
    let mut missing = Tree::new();
    assert!(matches!(
        apply(&mut missing, &patch, "X1"),
        Err(ApplyError::NoSuchFile { .. })
    ));
}

#[test]
fn no_newline_markers_match_and_produce_the_file_end_exactly() {
    let text = "\
diff --git a/platform/f.rs b/platform/f.rs
--- a/platform/f.rs
+++ b/platform/f.rs
@@ -1,2 +1,2 @@
 a
-b
\\ No newline at end of file
+b
";
    let patch = parse(text);
    let mut files = tree(&[("platform/f.rs", "a\nb")]);
    apply(&mut files, &patch, "X1").expect("applies to a file without final newline");
    assert_eq!(files.get(&path("platform/f.rs")), Some("a\nb\n"));
    let mut with_newline = tree(&[("platform/f.rs", "a\nb\n")]);
    assert!(
        apply(&mut with_newline, &patch, "X1").is_err(),
        "the marker must not match a file that ends with a newline"
    );
}

#[test]
fn several_bugs_apply_in_order_or_not_at_all() {
    let second = CHANGE_FIVE.replace("-line 5\n+line five", "-line 6\n+line six");
    let second = second.replace(" line 6\n line 7", " line 5\n line 7");
    let first = parse(CHANGE_FIVE);
    let second = parse(&second);
    let mut files = tree(&[("platform/f.rs", &numbered(1..=10))]);
    let error = apply_all(&mut files, [("A1", &first), ("A2", &second)])
        .expect_err("A2's context expects the original line 5");
    assert!(matches!(error, ApplyError::Missing { ref bug, .. } if bug == "A2"));
    assert_eq!(
        files.get(&path("platform/f.rs")),
        Some(numbered(1..=10).as_str()),
        "A1 must not stay applied when A2 fails"
    );
    let independent = parse(&CHANGE_FIVE.replace("line five", "line 5 changed"));
    let other = parse(&CHANGE_FIVE.replace("platform/f.rs", "platform/g.rs"));
    let mut files = tree(&[
        ("platform/f.rs", &numbered(1..=10)),
        ("platform/g.rs", &numbered(1..=10)),
    ]);
    apply_all(&mut files, [("A1", &independent), ("A2", &other)]).expect("both apply");
    assert!(
        files
            .get(&path("platform/f.rs"))
            .is_some_and(|t| t.contains("line 5 changed"))
    );
    assert!(
        files
            .get(&path("platform/g.rs"))
            .is_some_and(|t| t.contains("line five"))
    );
}

#[test]
fn reverse_apply_restores_the_original_and_fails_on_the_original() {
    let original = numbered(1..=10);
    let patch = parse(CHANGE_FIVE);
    let mut files = tree(&[("platform/f.rs", &original)]);
    apply(&mut files, &patch, "X1").expect("applies");
    reverse_apply(&mut files, &patch, "X1").expect("reverses");
    assert_eq!(files.get(&path("platform/f.rs")), Some(original.as_str()));
    assert!(
        reverse_apply(&mut files, &patch, "X1").is_err(),
        "a patch not applied cannot be undone"
    );
}
