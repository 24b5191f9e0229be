//! The unified-diff parser and renderer: git's `diff --git` form with several files,
//! hunks, new and deleted files and no-newline markers; unsafe paths are refused.

use mediaflow::challenge::patch::{self, FileChange, HunkLine};

const TWO_FILES: &str = "\
diff --git a/platform/a.rs b/platform/a.rs
index 1111111..2222222 100644
--- a/platform/a.rs
+++ b/platform/a.rs
@@ -1,3 +1,3 @@ fn main() {
 one
-two
+TWO
 three
@@ -10 +10,2 @@
 ten
+eleven
diff --git a/platform/new.rs b/platform/new.rs
new file mode 100644
--- /dev/null
+++ b/platform/new.rs
@@ -0,0 +1,2 @@
+fresh
+end
\\ No newline at end of file
diff --git a/platform/old.rs b/platform/old.rs
deleted file mode 100644
--- a/platform/old.rs
+++ /dev/null
@@ -1 +0,0 @@
-gone
";

#[test]
fn a_patch_with_several_files_and_hunks_parses_into_the_model() {
    let parsed = patch::parse(TWO_FILES).expect("valid patch");
    let kinds: Vec<(&str, FileChange, usize)> = parsed
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.change, f.hunks.len()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("platform/a.rs", FileChange::Modify, 2),
            ("platform/new.rs", FileChange::Create, 1),
            ("platform/old.rs", FileChange::Delete, 1)
        ]
    );
    let first = &parsed.files[0].hunks[0];
    assert_eq!(first.section, "fn main() {");
    assert_eq!(first.pre_image(), ["one\n", "two\n", "three\n"]);
    assert_eq!(first.post_image(), ["one\n", "TWO\n", "three\n"]);
    assert_eq!(
        parsed.files[0].hunks[1].old_start, 10,
        "a count-less range is one line"
    );
    assert_eq!(
        parsed.files[1].hunks[0].lines.last(),
        Some(&HunkLine::Added("end".to_owned())),
        "the no-newline marker must drop the last line's terminator"
    );
}

#[test]
fn rendering_a_parsed_patch_gives_the_same_text_without_index_lines() {
    let parsed = patch::parse(TWO_FILES).expect("valid patch");
    let expected = TWO_FILES.replace("index 1111111..2222222 100644\n", "");
    assert_eq!(parsed.to_string(), expected);
    assert_eq!(patch::parse(&expected).expect("reparse"), parsed);
}

#[test]
fn an_empty_text_is_an_empty_patch() {
    assert!(patch::parse("").expect("empty").files.is_empty());
}

#[test]
fn unsafe_or_unsupported_patches_are_refused_with_the_line() {
    let modify = |path: &str| {
        format!("diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-a\n+b\n")
    };
    let cases = [
        (modify("../etc/passwd"), 1, "without `.`, `..`"),
        (modify("platform/../../x"), 1, "without `.`, `..`"),
        (modify(".git/config"), 1, "inside `.git`"),
        (modify("platform/.git/hooks/pre-commit"), 1, "inside `.git`"),
        (modify("/abs/path"), 1, "must be relative"),
        (
            "diff --git a/x b/y\n".to_owned(),
            1,
            "renames are not supported",
        ),
        (
            "diff --git a/x b/x\nrename from x\n".to_owned(),
            2,
            "unsupported header",
        ),
        (
            "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1 @@\n-a\n".to_owned(),
            5,
            "ends early",
        ),
        (
            "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n+c\n".to_owned(),
            7,
            "expected `diff --git",
        ),
        (
            "diff --git a/x b/x\n--- a/y\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n".to_owned(),
            3,
            "does not name `a/x`",
        ),
        ("hello\n".to_owned(), 1, "expected `diff --git"),
        (
            "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n*a\n+b\n".to_owned(),
            5,
            "must start with",
        ),
        (
            format!("{}{}", modify("x"), modify("x")),
            12,
            "appears twice",
        ),
    ];
    for (text, line, expected) in cases {
        let error = patch::parse(&text).expect_err(&format!("must refuse:\n{text}"));
        assert!(
            error.message.contains(expected),
            "expected `{expected}` for:\n{text}got: {error}"
        );
        assert_eq!(error.line, line, "wrong line for:\n{text}got: {error}");
    }
}

#[test]
fn a_blank_line_inside_a_hunk_is_an_empty_context_line() {
    let text = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n\n-a\n+b\n";
    let parsed = patch::parse(text).expect("editors strip the space of empty context lines");
    assert_eq!(parsed.files[0].hunks[0].pre_image(), ["\n", "a\n"]);
}

#[test]
fn a_reversed_patch_swaps_added_and_removed_and_creation_and_deletion() {
    let parsed = patch::parse(TWO_FILES).expect("valid patch");
    let reversed = parsed.reversed();
    assert_eq!(reversed.files[1].change, FileChange::Delete);
    assert_eq!(reversed.files[2].change, FileChange::Create);
    assert_eq!(
        reversed.files[0].hunks[0].pre_image(),
        parsed.files[0].hunks[0].post_image()
    );
    assert_eq!(
        reversed.reversed(),
        parsed,
        "reversing twice is the identity"
    );
}
