//! The in-memory object store: objects in a map ordered by key, so a prefix
//! listing comes out ordered and stops where the prefix ends.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::api::{ObjectError, ObjectKey, ObjectMeta, ObjectStore};
use super::content::{check_range, describe};

/// One object; the bytes are shared so a read does not copy under the lock.
#[derive(Debug, Clone)]
struct Stored {
    meta: ObjectMeta,
    data: Arc<Vec<u8>>,
}

/// In-process [`ObjectStore`] for tests and the embedded platform.
#[derive(Debug, Default)]
pub struct MemoryObjectStore {
    objects: Mutex<BTreeMap<ObjectKey, Stored>>,
}

impl MemoryObjectStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of objects stored.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether the store holds no object.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<ObjectKey, Stored>> {
        self.objects.lock().expect("object store poisoned")
    }

    fn stored(&self, key: &ObjectKey) -> Result<Stored, ObjectError> {
        self.lock()
            .get(key)
            .cloned()
            .ok_or_else(|| ObjectError::NotFound(key.as_str().to_owned()))
    }
}

#[async_trait]
impl ObjectStore for MemoryObjectStore {
    async fn put(
        &self,
        key: &ObjectKey,
        data: Vec<u8>,
        content_type: &str,
    ) -> Result<ObjectMeta, ObjectError> {
        let meta = describe(key, &data, content_type.to_owned());
        let stored = Stored {
            meta: meta.clone(),
            data: Arc::new(data),
        };
        self.lock().insert(key.clone(), stored);
        Ok(meta)
    }

    async fn get(&self, key: &ObjectKey) -> Result<(ObjectMeta, Vec<u8>), ObjectError> {
        let stored = self.stored(key)?;
        Ok((stored.meta, stored.data.as_ref().clone()))
    }

    async fn get_range(&self, key: &ObjectKey, range: Range<u64>) -> Result<Vec<u8>, ObjectError> {
        let stored = self.stored(key)?;
        check_range(key, &range, stored.meta.size)?;
        let (start, end) = (usize::try_from(range.start), usize::try_from(range.end));
        match (start, end) {
            (Ok(start), Ok(end)) => Ok(stored.data[start..end].to_vec()),
            _ => Err(ObjectError::Backend(format!(
                "range {}..{} does not fit this platform's address space",
                range.start, range.end
            ))),
        }
    }

    async fn head(&self, key: &ObjectKey) -> Result<Option<ObjectMeta>, ObjectError> {
        Ok(self.lock().get(key).map(|stored| stored.meta.clone()))
    }

    async fn delete(&self, key: &ObjectKey) -> Result<bool, ObjectError> {
        Ok(self.lock().remove(key).is_some())
    }

    async fn list(&self, prefix: &str) -> Result<Vec<ObjectMeta>, ObjectError> {
        Ok(self
            .lock()
            .iter()
            .skip_while(|(key, _)| key.as_str() < prefix)
            .take_while(|(key, _)| key.as_str().starts_with(prefix))
            .map(|(_, stored)| stored.meta.clone())
            .collect())
    }
}
