//! Writing patches: a line diff (Myers' O(ND) algorithm) of two texts turned into
//! [`FilePatch`] hunks with three lines of context, grown where needed so that every
//! hunk's pre-image is found by content alone.

use crate::challenge::apply::{Placement, apply_with};
use crate::challenge::patch::{FileChange, FilePatch, Hunk, HunkLine, Patch};
use crate::challenge::path::TreePath;
use crate::challenge::tree::Tree;

/// Context lines around each change, as `diff -u` and git write them.
pub const CONTEXT: usize = 3;

/// The most context tried before accepting a hunk that is only found at its line.
const MAX_CONTEXT: usize = 40;

/// One step of an edit script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    Keep,
    Remove,
    Add,
}

/// The change from `old` to `new` of the file at `path` (`None` = absent), or `None`
/// when they are equal. Context grows beyond [`CONTEXT`] until each hunk is unique.
pub fn file_patch(path: &TreePath, old: Option<&str>, new: Option<&str>) -> Option<FilePatch> {
    if old == new {
        return None;
    }
    let change = match (old, new) {
        (None, _) => FileChange::Create,
        (_, None) => FileChange::Delete,
        _ => FileChange::Modify,
    };
    let old_lines: Vec<&str> = old.unwrap_or_default().split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.unwrap_or_default().split_inclusive('\n').collect();
    let script = edit_script(&old_lines, &new_lines);
    let build = |context| FilePatch {
        path: path.clone(),
        change,
        hunks: hunks(&old_lines, &new_lines, &script, context),
    };
    if change != FileChange::Modify {
        return Some(build(0));
    }
    let mut reference = Tree::new();
    reference.insert(path.clone(), old.unwrap_or_default().to_owned());
    let findable = |patch: &FilePatch| {
        let single = Patch {
            files: vec![patch.clone()],
        };
        apply_with(&mut reference.clone(), &single, "", Placement::Unique).is_ok()
    };
    let mut context = CONTEXT;
    loop {
        let patch = build(context);
        if context >= MAX_CONTEXT || findable(&patch) {
            return Some(patch);
        }
        context += 1;
    }
}

/// The patch turning `old` into `new` over the union of their paths.
pub fn tree_patch(old: &Tree, new: &Tree) -> Patch {
    let mut paths: Vec<&TreePath> = old.paths().chain(new.paths()).collect();
    paths.sort();
    paths.dedup();
    Patch {
        files: paths
            .into_iter()
            .filter_map(|path| file_patch(path, old.get(path), new.get(path)))
            .collect(),
    }
}

/// Groups the edit script into hunks with `context` lines around each change.
fn hunks(old: &[&str], new: &[&str], script: &[Edit], context: usize) -> Vec<Hunk> {
    let changed: Vec<usize> = script
        .iter()
        .enumerate()
        .filter(|(_, edit)| **edit != Edit::Keep)
        .map(|(at, _)| at)
        .collect();
    let mut groups: Vec<(usize, usize)> = Vec::new();
    for at in changed {
        match groups.last_mut() {
            Some((_, end)) if at <= *end + 2 * context + 1 => *end = at,
            _ => groups.push((at, at)),
        }
    }
    // Position in old and new before each script step.
    let mut positions = Vec::with_capacity(script.len() + 1);
    let (mut o, mut n) = (0, 0);
    for edit in script {
        positions.push((o, n));
        match edit {
            Edit::Keep => (o, n) = (o + 1, n + 1),
            Edit::Remove => o += 1,
            Edit::Add => n += 1,
        }
    }
    positions.push((o, n));
    groups
        .into_iter()
        .map(|(first, last)| {
            let start = first.saturating_sub(context);
            let end = (last + 1 + context).min(script.len());
            let (old_at, new_at) = positions[start];
            let lines: Vec<HunkLine> = (start..end)
                .map(|step| {
                    let (o, n) = positions[step];
                    match script[step] {
                        Edit::Keep => HunkLine::Context(old[o].to_owned()),
                        Edit::Remove => HunkLine::Removed(old[o].to_owned()),
                        Edit::Add => HunkLine::Added(new[n].to_owned()),
                    }
                })
                .collect();
            let has_old = lines.iter().any(|l| !matches!(l, HunkLine::Added(_)));
            let has_new = lines.iter().any(|l| !matches!(l, HunkLine::Removed(_)));
            Hunk {
                old_start: old_at + usize::from(has_old),
                new_start: new_at + usize::from(has_new),
                section: String::new(),
                lines,
            }
        })
        .collect()
}

/// The shortest edit script from `old` to `new` (Myers), common prefix and suffix first.
fn edit_script(old: &[&str], new: &[&str]) -> Vec<Edit> {
    let prefix = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let suffix = old[prefix..]
        .iter()
        .rev()
        .zip(new[prefix..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let mut script = vec![Edit::Keep; prefix];
    script.extend(myers(
        &old[prefix..old.len() - suffix],
        &new[prefix..new.len() - suffix],
    ));
    script.extend(std::iter::repeat_n(Edit::Keep, suffix));
    script
}

/// Myers' greedy algorithm with the trace kept for backtracking.
fn myers(old: &[&str], new: &[&str]) -> Vec<Edit> {
    let (n, m) = (signed(old.len()), signed(new.len()));
    let max = n + m;
    let index = |k: isize| usize::try_from(k + max + 1).unwrap_or_default();
    let mut v = vec![0isize; usize::try_from(2 * max + 3).unwrap_or_default()];
    let mut trace: Vec<Vec<isize>> = Vec::new();
    'outer: for d in 0..=max {
        trace.push(v.clone());
        for k in (-d..=d).step_by(2) {
            let mut x = if k == -d || (k != d && v[index(k - 1)] < v[index(k + 1)]) {
                v[index(k + 1)]
            } else {
                v[index(k - 1)] + 1
            };
            let mut y = x - k;
            while x < n && y < m && old[unsigned(x)] == new[unsigned(y)] {
                x += 1;
                y += 1;
            }
            v[index(k)] = x;
            if x >= n && y >= m {
                break 'outer;
            }
        }
    }
    let mut script = Vec::with_capacity(old.len() + new.len());
    let (mut x, mut y) = (n, m);
    for (d, v) in trace.iter().enumerate().rev() {
        let d = signed(d);
        let k = x - y;
        let previous = if k == -d || (k != d && v[index(k - 1)] < v[index(k + 1)]) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = v[index(previous)];
        let prev_y = prev_x - previous;
        while x > prev_x && y > prev_y {
            script.push(Edit::Keep);
            x -= 1;
            y -= 1;
        }
        if d > 0 {
            script.push(if x == prev_x { Edit::Add } else { Edit::Remove });
        }
        (x, y) = (prev_x, prev_y);
    }
    script.reverse();
    script
}

/// Line counts fit in `isize` for any text held in memory.
fn signed(len: usize) -> isize {
    isize::try_from(len).unwrap_or(isize::MAX)
}

/// Myers' coordinates are never negative where they index.
fn unsigned(at: isize) -> usize {
    usize::try_from(at).unwrap_or_default()
}
