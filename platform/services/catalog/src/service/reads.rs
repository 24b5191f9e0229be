//! The read path: single videos and list pages through the read-through caches
//! (one database load per key however many callers miss at once), search straight
//! from the read model. Visibility is applied after the cache, so one cached entry
//! serves every caller.

use mediaflow_shared::cache::ReadThroughStats;
use mediaflow_shared::store::StoreError;
use serde::{Deserialize, Serialize};

use super::CatalogService;
use super::cache::video_cache_key;
use crate::domain::{ListQuery, SearchQuery, VideoId, Viewer, can_view};
use crate::error::CatalogError;
use crate::repo::{self, CatalogEntry};

/// One page of a listing, as cached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPage {
    /// The videos of the page, in order.
    pub items: Vec<CatalogEntry>,
    /// Cursor of the next page; `None` on the last one.
    pub next_cursor: Option<String>,
}

/// Why a cached load produced nothing; cloneable so waiting callers share it.
#[derive(Debug, Clone)]
enum LoadError {
    Missing,
    Store(StoreError),
}

impl From<LoadError> for CatalogError {
    fn from(err: LoadError) -> Self {
        match err {
            LoadError::Missing => Self::NotFound,
            LoadError::Store(store) => store.into(),
        }
    }
}

impl CatalogService {
    /// A video `viewer` may see: published ones for everyone, others for their
    /// owner and administrators; anything else is reported missing.
    pub async fn get(&self, viewer: &Viewer, id: &VideoId) -> Result<CatalogEntry, CatalogError> {
        let db = self.db.as_ref();
        let entry = self
            .cache
            .videos
            .get_or_load(&video_cache_key(id), || async move {
                repo::find(db, id)
                    .await
                    .map_err(LoadError::Store)?
                    .ok_or(LoadError::Missing)
            })
            .await
            .map_err(|err| CatalogError::from(err.into_load_error()))?;
        if can_view(viewer, entry.video.status, &entry.video.owner_id) {
            Ok(entry)
        } else {
            Err(CatalogError::NotFound)
        }
    }

    /// One page of a validated listing (the query already carries the viewer's
    /// scope in its status filter).
    pub async fn list(&self, query: &ListQuery) -> Result<ListPage, CatalogError> {
        let db = self.db.as_ref();
        let key = self.cache.list_key(query).await;
        self.cache
            .lists
            .get_or_load(&key, || async move {
                let (items, next_cursor) = repo::list_page(db, query).await?;
                Ok::<_, StoreError>(ListPage { items, next_cursor })
            })
            .await
            .map_err(|err| CatalogError::from(err.into_load_error()))
    }

    /// Published videos matching a validated search.
    pub async fn search(&self, query: &SearchQuery) -> Result<Vec<CatalogEntry>, CatalogError> {
        Ok(repo::search(self.db.as_ref(), query).await?)
    }

    /// Forgets what the caches hold about a video (after a change made outside a
    /// command, such as counted views).
    pub async fn invalidate(&self, id: &VideoId) {
        self.cache.invalidate(id).await;
    }

    /// Read-through counters: (single videos, list pages).
    pub fn cache_stats(&self) -> (ReadThroughStats, ReadThroughStats) {
        self.cache.stats()
    }
}
