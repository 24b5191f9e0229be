//! Where the filesystem store keeps things under its root, and the resolution of a
//! key to a path that cannot leave the root:
//!
//! ```text
//! <root>/objects/<segment>/…/<segment>   the object's bytes, exactly as put
//! <root>/meta/<sha256 of key>.json      sidecar: key, size, content type, etag
//! <root>/tmp/                           temporary files, renamed into place
//! ```
//!
//! Sidecars are named by a hash so that no key can collide with another key's
//! metadata. Like MinIO's filesystem mode, a key cannot be both an object and the
//! prefix of other objects (`a` and `a/b`), since `a` cannot be a file and a
//! directory at once; such a put is rejected as an invalid key.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::super::api::{ObjectError, ObjectKey};
use super::super::content::etag;

/// Why a put that would need a file and a directory at one path is refused.
const PREFIX_IS_OBJECT: &str =
    "a prefix of this key is already an object; delete it or choose another key";
const KEY_IS_PREFIX: &str = "this key is already a prefix of other objects; choose another key";
const THROUGH_SYMLINK: &str =
    "its path passes through a symbolic link, which could leave the store root";
const OUTSIDE_ROOT: &str = "its path resolves outside the store root";

/// Whether a resolution may create the directories it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    Read,
    Write,
}

/// The directories of one store root, all canonical.
#[derive(Debug)]
pub(super) struct Layout {
    root: PathBuf,
    objects: PathBuf,
    meta: PathBuf,
    tmp: PathBuf,
}

/// An IO failure as a backend error naming what was being done and where.
pub(super) fn io_error(action: &str, path: &Path, error: &io::Error) -> ObjectError {
    ObjectError::Backend(format!("cannot {action} `{}`: {error}", path.display()))
}

fn invalid(key: &ObjectKey, reason: &'static str) -> ObjectError {
    ObjectError::InvalidKey {
        key: key.as_str().to_owned(),
        reason,
    }
}

fn create_dir(path: &Path) -> Result<PathBuf, ObjectError> {
    fs::create_dir_all(path).map_err(|e| io_error("create directory", path, &e))?;
    fs::canonicalize(path).map_err(|e| io_error("resolve directory", path, &e))
}

impl Layout {
    /// Creates (or reopens) the directories under `root`.
    pub(super) fn create(root: &Path) -> Result<Self, ObjectError> {
        let root = create_dir(root)?;
        Ok(Self {
            objects: create_dir(&root.join("objects"))?,
            meta: create_dir(&root.join("meta"))?,
            tmp: create_dir(&root.join("tmp"))?,
            root,
        })
    }

    /// The canonical store root.
    pub(super) fn root(&self) -> &Path {
        &self.root
    }

    /// Where the bytes of `key` live, by segments; purely lexical (see `resolve`).
    pub(super) fn object_path(&self, key: &ObjectKey) -> PathBuf {
        key.as_str()
            .split('/')
            .fold(self.objects.clone(), |path, segment| path.join(segment))
    }

    /// Where the sidecar of `key` lives.
    pub(super) fn meta_path(&self, key: &ObjectKey) -> PathBuf {
        self.meta
            .join(format!("{}.json", etag(key.as_str().as_bytes())))
    }

    /// A temporary file name; `attempt` makes it unique.
    pub(super) fn temp_path(&self, attempt: u64) -> PathBuf {
        self.tmp
            .join(format!("{}-{attempt}.tmp", std::process::id()))
    }

    /// The file path of `key`, every parent checked to be a real directory (not a
    /// symbolic link) inside the root. `None` on read when a parent or the object
    /// is missing; on write, missing parents are created.
    pub(super) fn resolve(
        &self,
        key: &ObjectKey,
        access: Access,
    ) -> Result<Option<PathBuf>, ObjectError> {
        let segments: Vec<&str> = key.as_str().split('/').collect();
        let Some((name, parents)) = segments.split_last() else {
            return Err(invalid(key, "empty"));
        };
        let mut dir = self.objects.clone();
        for segment in parents {
            dir.push(segment);
            if !self.ensure_dir(key, &dir, access)? {
                return Ok(None);
            }
        }
        // Belt and braces: whatever the checks above missed, the directory we read
        // or write in must resolve inside the root.
        let canonical = fs::canonicalize(&dir).map_err(|e| io_error("resolve", &dir, &e))?;
        if !canonical.starts_with(&self.objects) {
            return Err(invalid(key, OUTSIDE_ROOT));
        }
        let file = canonical.join(name);
        match fs::symlink_metadata(&file) {
            Ok(meta) if meta.file_type().is_symlink() => Err(invalid(key, THROUGH_SYMLINK)),
            Ok(meta) if meta.is_dir() => match access {
                Access::Write => Err(invalid(key, KEY_IS_PREFIX)),
                Access::Read => Ok(None),
            },
            _ => Ok(Some(file)),
        }
    }

    /// Checks one parent directory; true when it exists (or was created).
    fn ensure_dir(&self, key: &ObjectKey, dir: &Path, access: Access) -> Result<bool, ObjectError> {
        match fs::symlink_metadata(dir) {
            Ok(meta) if meta.file_type().is_symlink() => Err(invalid(key, THROUGH_SYMLINK)),
            Ok(meta) if meta.is_dir() => Ok(true),
            Ok(_) => match access {
                Access::Write => Err(invalid(key, PREFIX_IS_OBJECT)),
                Access::Read => Ok(false),
            },
            Err(error) if error.kind() == io::ErrorKind::NotFound => match access {
                Access::Read => Ok(false),
                Access::Write => match fs::create_dir(dir) {
                    Ok(()) => Ok(true),
                    // Another writer created it between our check and ours: check again.
                    Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
                        self.ensure_dir(key, dir, Access::Read)
                    }
                    Err(error) => Err(io_error("create directory", dir, &error)),
                },
            },
            Err(error) => Err(io_error("inspect", dir, &error)),
        }
    }

    /// Removes the now-empty directories above a deleted object, so the key's
    /// prefix can become an object again.
    pub(super) fn prune_empty_parents(&self, file: &Path) {
        let mut dir = file.parent();
        while let Some(current) = dir {
            // Stops at the first directory that is not empty (or the root).
            if current == self.objects || fs::remove_dir(current).is_err() {
                break;
            }
            dir = current.parent();
        }
    }

    /// Every object key starting with `prefix`, in no particular order. Symbolic
    /// links and names that are not valid keys are skipped.
    pub(super) fn keys_with_prefix(&self, prefix: &str) -> Result<Vec<ObjectKey>, ObjectError> {
        let mut keys = Vec::new();
        self.walk(&self.objects, "", prefix, &mut keys)?;
        Ok(keys)
    }

    fn walk(
        &self,
        dir: &Path,
        relative: &str,
        prefix: &str,
        keys: &mut Vec<ObjectKey>,
    ) -> Result<(), ObjectError> {
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            // Removed by a concurrent delete: nothing to list there.
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(io_error("list", dir, &error)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| io_error("list", dir, &e))?;
            let file_name = entry.file_name();
            let Some(name) = file_name.to_str() else {
                continue;
            };
            let key = if relative.is_empty() {
                name.to_owned()
            } else {
                format!("{relative}/{name}")
            };
            let file_type = entry
                .file_type()
                .map_err(|e| io_error("inspect", &entry.path(), &e))?;
            if file_type.is_dir() {
                let as_prefix = format!("{key}/");
                if as_prefix.starts_with(prefix) || prefix.starts_with(&as_prefix) {
                    self.walk(&entry.path(), &key, prefix, keys)?;
                }
            } else if file_type.is_file()
                && key.starts_with(prefix)
                && let Ok(key) = ObjectKey::parse(&key)
            {
                keys.push(key);
            }
        }
        Ok(())
    }
}
