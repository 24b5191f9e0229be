//! A set of text files in memory, keyed by [`TreePath`]: what patches are applied to, so
//! applying a bug (or all of them) never writes anything until every hunk has applied.

use std::collections::BTreeMap;

use crate::challenge::path::TreePath;

/// Text files by path; files not loaded are simply absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    /// Contents by path.
    files: BTreeMap<TreePath, String>,
}

impl Tree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// A tree of the given files.
    pub fn from_files(files: impl IntoIterator<Item = (TreePath, String)>) -> Self {
        Self {
            files: files.into_iter().collect(),
        }
    }

    /// The content of `path`, if present.
    pub fn get(&self, path: &TreePath) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    /// Sets the content of `path`, returning the previous one.
    pub fn insert(&mut self, path: TreePath, content: String) -> Option<String> {
        self.files.insert(path, content)
    }

    /// Removes `path`, returning its content.
    pub fn remove(&mut self, path: &TreePath) -> Option<String> {
        self.files.remove(path)
    }

    /// The files in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&TreePath, &str)> {
        self.files.iter().map(|(path, text)| (path, text.as_str()))
    }

    /// The paths in order.
    pub fn paths(&self) -> impl Iterator<Item = &TreePath> {
        self.files.keys()
    }
}
