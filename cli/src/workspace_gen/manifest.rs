//! The workspace's root `Cargo.toml`, derived from the repository's: the same package
//! defaults, dependencies, lints and profiles, minus the runner (`cli`) and the
//! dependencies only it uses. Line-based on purpose: the repository's manifest is ours,
//! one entry per line, and comments and order survive untouched.

use std::collections::BTreeSet;

/// The manifest for a workspace whose members are the crates among `files` (paths of
/// every file the workspace holds) and whose member manifests are `member_manifests`.
pub fn root_manifest<'a>(
    repo_manifest: &str,
    files: &BTreeSet<&str>,
    member_manifests: impl IntoIterator<Item = &'a str>,
) -> String {
    let used = used_dependencies(member_manifests);
    let mut out: Vec<String> = Vec::new();
    let mut section = String::new();
    let mut pending_comments: Vec<&str> = Vec::new();
    let mut lines = repo_manifest.lines();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            section = trimmed.to_owned();
        }
        if section == "[workspace]" && trimmed.starts_with("members") {
            out.push(members_line(trimmed, files));
            continue;
        }
        if section != "[workspace.dependencies]" || trimmed.starts_with('[') {
            out.push(line.to_owned());
            continue;
        }
        if trimmed.starts_with('#') {
            pending_comments.push(line);
            continue;
        }
        let mut entry = vec![line];
        if line.contains('{') && !line.contains('}') {
            for more in lines.by_ref() {
                entry.push(more);
                if more.contains('}') {
                    break;
                }
            }
        }
        let keep = entry_name(trimmed).is_none_or(|name| used.contains(name));
        if keep {
            out.extend(pending_comments.drain(..).map(str::to_owned));
            out.extend(entry.into_iter().map(str::to_owned));
        } else {
            pending_comments.clear();
        }
    }
    out.extend(pending_comments.into_iter().map(str::to_owned));
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// `members = [...]` keeping only the members present among `files`.
fn members_line(line: &str, files: &BTreeSet<&str>) -> String {
    let inner = line
        .split_once('[')
        .and_then(|(_, rest)| rest.rsplit_once(']'))
        .map_or("", |(inner, _)| inner);
    let kept: Vec<&str> = inner
        .split(',')
        .map(|item| item.trim().trim_matches('"'))
        .filter(|member| !member.is_empty())
        .filter(|member| {
            let prefix = member.split('*').next().unwrap_or_default();
            files
                .iter()
                .any(|file| file.starts_with(prefix) && file.ends_with("/Cargo.toml"))
        })
        .collect();
    let quoted: Vec<String> = kept.iter().map(|member| format!("\"{member}\"")).collect();
    format!("members = [{}]", quoted.join(", "))
}

/// The dependency an entry line declares (`name = …` or `name.workspace = …`).
fn entry_name(line: &str) -> Option<&str> {
    let name = line.split(['=', '.', ' ']).next()?.trim();
    (!name.is_empty()).then_some(name)
}

/// Names the member manifests take from the workspace (`x.workspace = true` or
/// `x = { workspace = true, … }`).
fn used_dependencies<'a>(manifests: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    manifests
        .into_iter()
        .flat_map(str::lines)
        .map(str::trim)
        .filter(|line| {
            let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
            compact.contains(".workspace=true") || compact.contains("{workspace=true")
        })
        .filter_map(entry_name)
        .map(str::to_owned)
        .collect()
}

/// `Cargo.lock` reduced to the packages reachable from `members` (package names), in
/// the original order, so cargo finds it already up to date and leaves it alone.
pub fn prune_lock(lock: &str, members: &BTreeSet<String>) -> String {
    let mut blocks: Vec<&str> = lock.split("\n\n").collect();
    let header = if blocks
        .first()
        .is_some_and(|b| !b.starts_with("[[package]]"))
    {
        Some(blocks.remove(0))
    } else {
        None
    };
    let packages: Vec<LockPackage<'_>> = blocks.iter().map(|b| LockPackage::parse(b)).collect();
    let mut keep = vec![false; packages.len()];
    let mut stack: Vec<usize> = packages
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.registry && members.contains(p.name))
        .map(|(index, _)| index)
        .collect();
    while let Some(index) = stack.pop() {
        if std::mem::replace(&mut keep[index], true) {
            continue;
        }
        for dependency in &packages[index].dependencies {
            let mut words = dependency.split(' ');
            let name = words.next().unwrap_or_default();
            let version = words.next();
            stack.extend(
                packages
                    .iter()
                    .enumerate()
                    .filter(|(i, p)| {
                        !keep[*i] && p.name == name && version.is_none_or(|v| v == p.version)
                    })
                    .map(|(i, _)| i),
            );
        }
    }
    let kept = blocks
        .iter()
        .zip(&keep)
        .filter(|(_, keep)| **keep)
        .map(|(block, _)| block.trim_end_matches('\n'));
    let mut text = header
        .into_iter()
        .chain(kept)
        .collect::<Vec<_>>()
        .join("\n\n");
    text.push('\n');
    text
}

/// What pruning needs of one `[[package]]` block.
#[derive(Debug)]
struct LockPackage<'a> {
    name: &'a str,
    version: &'a str,
    registry: bool,
    dependencies: Vec<&'a str>,
}

impl<'a> LockPackage<'a> {
    fn parse(block: &'a str) -> Self {
        let value = |key: &str| {
            block.lines().find_map(|line| {
                line.strip_prefix(key)
                    .and_then(|rest| rest.trim_start().strip_prefix('='))
                    .map(|rest| rest.trim().trim_matches('"'))
            })
        };
        let dependencies = block
            .split_once("dependencies = [")
            .and_then(|(_, rest)| rest.split_once(']'))
            .map(|(list, _)| {
                list.split(',')
                    .map(|item| item.trim().trim_matches('"'))
                    .filter(|item| !item.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Self {
            name: value("name ").unwrap_or_default(),
            version: value("version ").unwrap_or_default(),
            registry: value("source ").is_some(),
            dependencies,
        }
    }
}
