//! The filesystem object store: one file per object under a root directory, laid
//! out by key segments (see `layout`), written atomically (temporary file, fsync,
//! rename) so a reader never sees half an object, with metadata in a JSON sidecar
//! per object so a new store on the same root finds everything again.
//!
//! The sidecar is a cache of what the bytes say: when it is missing or disagrees
//! with the file's size (a crash between the two renames), the metadata is rebuilt
//! from the bytes. Writes in one process are serialised; every filesystem call runs
//! on tokio's blocking pool.

mod layout;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use self::layout::{Access, Layout, io_error};
use super::api::{ObjectError, ObjectKey, ObjectMeta, ObjectStore};
use super::content::{check_range, describe};

/// Content type reported when an object's sidecar was lost.
const UNKNOWN_CONTENT_TYPE: &str = "application/octet-stream";

/// The JSON sidecar of one object.
#[derive(Debug, Serialize, Deserialize)]
struct Sidecar {
    key: String,
    size: u64,
    content_type: String,
    etag: String,
}

/// [`ObjectStore`] on a local directory; survives restarts.
#[derive(Debug, Clone)]
pub struct FsObjectStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    layout: Layout,
    /// Serialises puts and deletes so an object's bytes and sidecar change together.
    writes: Mutex<()>,
    next_temp: AtomicU64,
}

impl FsObjectStore {
    /// Opens (creating if needed) a store rooted at `root`.
    pub fn new(root: impl AsRef<Path>) -> Result<Self, ObjectError> {
        Ok(Self {
            inner: Arc::new(Inner {
                layout: Layout::create(root.as_ref())?,
                writes: Mutex::new(()),
                next_temp: AtomicU64::new(0),
            }),
        })
    }

    /// The canonical root directory.
    pub fn root(&self) -> &Path {
        self.inner.layout.root()
    }

    /// Where the bytes of `key` are (or would be) stored, for operators and tests.
    pub fn object_path(&self, key: &ObjectKey) -> PathBuf {
        self.inner.layout.object_path(key)
    }

    async fn blocking<R, F>(&self, operation: F) -> Result<R, ObjectError>
    where
        R: Send + 'static,
        F: FnOnce(&Inner) -> Result<R, ObjectError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || operation(&inner))
            .await
            .map_err(|e| ObjectError::Backend(format!("filesystem task did not complete: {e}")))?
    }
}

impl Inner {
    fn put(
        &self,
        key: &ObjectKey,
        data: &[u8],
        content_type: &str,
    ) -> Result<ObjectMeta, ObjectError> {
        let meta = describe(key, data, content_type.to_owned());
        let sidecar = Sidecar {
            key: key.as_str().to_owned(),
            size: meta.size,
            content_type: meta.content_type.clone(),
            etag: meta.etag.clone(),
        };
        let sidecar = serde_json::to_vec(&sidecar)
            .map_err(|e| ObjectError::Backend(format!("cannot encode metadata: {e}")))?;
        let _writing = self.writes.lock().expect("object writes poisoned");
        let Some(path) = self.layout.resolve(key, Access::Write)? else {
            return Err(ObjectError::Backend(format!(
                "cannot create the directories of `{key}`"
            )));
        };
        self.write_atomically(&path, data)?;
        self.write_atomically(&self.layout.meta_path(key), &sidecar)?;
        Ok(meta)
    }

    fn get(&self, key: &ObjectKey) -> Result<(ObjectMeta, Vec<u8>), ObjectError> {
        let path = self.existing(key)?;
        let data = fs::read(&path).map_err(|e| not_found_or(key, &path, &e))?;
        let content_type = self
            .sidecar(key)
            .map_or_else(|| UNKNOWN_CONTENT_TYPE.to_owned(), |s| s.content_type);
        let meta = describe(key, &data, content_type);
        Ok((meta, data))
    }

    fn get_range(&self, key: &ObjectKey, range: &Range<u64>) -> Result<Vec<u8>, ObjectError> {
        let path = self.existing(key)?;
        let mut file = File::open(&path).map_err(|e| not_found_or(key, &path, &e))?;
        let size = file
            .metadata()
            .map_err(|e| io_error("inspect", &path, &e))?
            .len();
        check_range(key, range, size)?;
        let length = usize::try_from(range.end - range.start).map_err(|_| {
            ObjectError::Backend(format!("range of `{key}` is too large to read into memory"))
        })?;
        let mut buffer = vec![0; length];
        file.seek(SeekFrom::Start(range.start))
            .and_then(|_| file.read_exact(&mut buffer))
            .map_err(|e| io_error("read", &path, &e))?;
        Ok(buffer)
    }

    fn head(&self, key: &ObjectKey) -> Result<Option<ObjectMeta>, ObjectError> {
        let Some(path) = self.layout.resolve(key, Access::Read)? else {
            return Ok(None);
        };
        let size = match fs::metadata(&path) {
            Ok(meta) if meta.is_file() => meta.len(),
            Ok(_) => return Ok(None),
            Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(io_error("inspect", &path, &error)),
        };
        match self.sidecar(key) {
            Some(sidecar) if sidecar.size == size => Ok(Some(ObjectMeta {
                key: key.clone(),
                size,
                content_type: sidecar.content_type,
                etag: sidecar.etag,
            })),
            // Missing or from another version of the object: trust the bytes.
            _ => match self.get(key) {
                Ok((meta, _)) => Ok(Some(meta)),
                Err(ObjectError::NotFound(_)) => Ok(None),
                Err(error) => Err(error),
            },
        }
    }

    fn delete(&self, key: &ObjectKey) -> Result<bool, ObjectError> {
        let _writing = self.writes.lock().expect("object writes poisoned");
        let Some(path) = self.layout.resolve(key, Access::Read)? else {
            return Ok(false);
        };
        let existed = match fs::remove_file(&path) {
            Ok(()) => true,
            Err(error) if error.kind() == io::ErrorKind::NotFound => false,
            Err(error) => return Err(io_error("delete", &path, &error)),
        };
        let meta_path = self.layout.meta_path(key);
        match fs::remove_file(&meta_path) {
            Ok(()) => {}
            Err(error) if error.kind() == io::ErrorKind::NotFound => {}
            Err(error) => return Err(io_error("delete", &meta_path, &error)),
        }
        self.layout.prune_empty_parents(&path);
        Ok(existed)
    }

    fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>, ObjectError> {
        let mut keys = self.layout.keys_with_prefix(prefix)?;
        keys.sort();
        let mut listed = Vec::with_capacity(keys.len());
        for key in keys {
            // Deleted since the directory walk: not part of the listing.
            if let Some(meta) = self.head(&key)? {
                listed.push(meta);
            }
        }
        Ok(listed)
    }

    /// The path of an existing object, or `NotFound`.
    fn existing(&self, key: &ObjectKey) -> Result<PathBuf, ObjectError> {
        self.layout
            .resolve(key, Access::Read)?
            .ok_or_else(|| ObjectError::NotFound(key.as_str().to_owned()))
    }

    /// The sidecar of `key` when present, readable and about that key.
    fn sidecar(&self, key: &ObjectKey) -> Option<Sidecar> {
        let bytes = fs::read(self.layout.meta_path(key)).ok()?;
        serde_json::from_slice::<Sidecar>(&bytes)
            .ok()
            .filter(|sidecar| sidecar.key == key.as_str())
    }

    /// Writes `bytes` to a fresh temporary file, flushes it to disk and renames it
    /// over `target`, so `target` holds either the old or the new content.
    fn write_atomically(&self, target: &Path, bytes: &[u8]) -> Result<(), ObjectError> {
        let (temp, mut file) = self.create_temp()?;
        let written = file.write_all(bytes).and_then(|()| file.sync_all());
        drop(file);
        let renamed = written.and_then(|()| fs::rename(&temp, target));
        renamed.map_err(|error| {
            // Best effort: a leftover temporary file is harmless but untidy.
            let _ = fs::remove_file(&temp);
            io_error("write", target, &error)
        })
    }

    fn create_temp(&self) -> Result<(PathBuf, File), ObjectError> {
        loop {
            let attempt = self.next_temp.fetch_add(1, Ordering::Relaxed);
            let path = self.layout.temp_path(attempt);
            // `create_new` makes two stores on one root skip each other's names.
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => return Ok((path, file)),
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
                Err(error) => return Err(io_error("create", &path, &error)),
            }
        }
    }
}

fn not_found_or(key: &ObjectKey, path: &Path, error: &io::Error) -> ObjectError {
    if error.kind() == io::ErrorKind::NotFound {
        ObjectError::NotFound(key.as_str().to_owned())
    } else {
        io_error("read", path, error)
    }
}

#[async_trait]
impl ObjectStore for FsObjectStore {
    async fn put(
        &self,
        key: &ObjectKey,
        data: Vec<u8>,
        content_type: &str,
    ) -> Result<ObjectMeta, ObjectError> {
        let (key, content_type) = (key.clone(), content_type.to_owned());
        self.blocking(move |inner| inner.put(&key, &data, &content_type))
            .await
    }

    async fn get(&self, key: &ObjectKey) -> Result<(ObjectMeta, Vec<u8>), ObjectError> {
        let key = key.clone();
        self.blocking(move |inner| inner.get(&key)).await
    }

    async fn get_range(&self, key: &ObjectKey, range: Range<u64>) -> Result<Vec<u8>, ObjectError> {
        let key = key.clone();
        self.blocking(move |inner| inner.get_range(&key, &range))
            .await
    }

    async fn head(&self, key: &ObjectKey) -> Result<Option<ObjectMeta>, ObjectError> {
        let key = key.clone();
        self.blocking(move |inner| inner.head(&key)).await
    }

    async fn delete(&self, key: &ObjectKey) -> Result<bool, ObjectError> {
        let key = key.clone();
        self.blocking(move |inner| inner.delete(&key)).await
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>, ObjectError> {
        let prefix = prefix.to_owned();
        self.blocking(move |inner| inner.list(&prefix)).await
    }
}
