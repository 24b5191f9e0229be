//! Writing patches: the generated diff applied to the old text gives the new text, in
//! git's form with three lines of context, growing context where a hunk would be
//! ambiguous.

use mediaflow::challenge::apply::{Placement, apply, apply_with};
use mediaflow::challenge::diff::{file_patch, tree_patch};
use mediaflow::challenge::patch::{self, Patch};
use mediaflow::challenge::{Tree, TreePath};

fn path() -> TreePath {
    TreePath::parse("platform/f.rs").expect("valid path")
}

fn round_trip(old: Option<&str>, new: Option<&str>) {
    let old_tree = Tree::from_files(old.map(|t| (path(), t.to_owned())));
    let new_tree = Tree::from_files(new.map(|t| (path(), t.to_owned())));
    let generated = tree_patch(&old_tree, &new_tree);
    let text = generated.to_string();
    let reparsed =
        patch::parse(&text).unwrap_or_else(|e| panic!("generated patch must parse: {e}\n{text}"));
    assert_eq!(
        reparsed, generated,
        "rendering and parsing must agree:\n{text}"
    );
    let mut applied = old_tree;
    apply(&mut applied, &reparsed, "RT").unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(
        applied, new_tree,
        "applying the diff must give the target:\n{text}"
    );
}

#[test]
fn applying_a_generated_diff_gives_the_target_for_every_kind_of_change() {
    let base: String = (1..=40).map(|n| format!("line {n}\n")).collect();
    let cases: Vec<(Option<String>, Option<String>)> = vec![
        (
            Some(base.clone()),
            Some(base.replace("line 7\n", "line seven\n")),
        ),
        (Some(base.clone()), Some(base.replace("line 1\n", ""))),
        (Some(base.clone()), Some(format!("{base}tail\n"))),
        (Some(base.clone()), Some(format!("head\n{base}"))),
        (
            Some(base.clone()),
            Some(
                base.replace("line 3\n", "x\n")
                    .replace("line 38\n", "y\nz\n"),
            ),
        ),
        (
            Some(base.clone()),
            Some(
                base.replace("line 10\n", "")
                    .replace("line 13\n", "thirteen\n"),
            ),
        ),
        (Some(base.clone()), Some(base.trim_end().to_owned())),
        (Some("a\nb".to_owned()), Some("a\nc".to_owned())),
        (Some("a\nb".to_owned()), Some("a\nb\n".to_owned())),
        (Some(String::new()), Some("a\n".to_owned())),
        (Some("a\n".to_owned()), Some(String::new())),
        (Some("x\ny\n".to_owned()), Some("p\nq\nr\n".to_owned())),
        (None, Some("new\nfile".to_owned())),
        (None, Some(String::new())),
        (Some(base.clone()), None),
    ];
    for (old, new) in &cases {
        round_trip(old.as_deref(), new.as_deref());
    }
}

#[test]
fn a_generated_diff_is_in_git_form_with_three_lines_of_context() {
    let old: String = (1..=10).map(|n| format!("{n}\n")).collect();
    let new = old.replace("5\n", "five\n");
    let generated = file_patch(&path(), Some(&old), Some(&new)).expect("differs");
    let expected = "\
diff --git a/platform/f.rs b/platform/f.rs
--- a/platform/f.rs
+++ b/platform/f.rs
@@ -2,7 +2,7 @@
 2
 3
 4
-5
+five
 6
 7
 8
";
    assert_eq!(
        Patch {
            files: vec![generated]
        }
        .to_string(),
        expected
    );
}

#[test]
fn equal_texts_give_no_patch() {
    assert_eq!(file_patch(&path(), Some("a\n"), Some("a\n")), None);
}

#[test]
fn context_grows_until_every_hunk_is_found_by_content_alone() {
    let block = "{\n    x();\n}\n";
    let old = format!("fn a()\n{block}fn b()\n{block}fn c()\n{block}");
    let new = old
        .replacen("    x();\n", "    y();\n", 2)
        .replacen("    y();\n", "    x();\n", 1);
    let generated = Patch {
        files: vec![file_patch(&path(), Some(&old), Some(&new)).expect("differs")],
    };
    let mut applied = Tree::from_files([(path(), old)]);
    apply_with(&mut applied, &generated, "CT", Placement::Unique).unwrap_or_else(|e| {
        panic!("each hunk must be unique without its line number: {e}\n{generated}")
    });
    assert_eq!(applied.get(&path()), Some(new.as_str()));
    assert!(
        generated.to_string().contains(" fn b()\n"),
        "the hunk must reach the distinguishing line:\n{generated}"
    );
}
