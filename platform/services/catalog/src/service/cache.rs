//! The catalog's read-through caches and their invalidation. A video is cached
//! under its id and dropped on every change; list pages are cached under a
//! generation number that every change bumps, so one write retires every page at
//! once without enumerating them.

use std::sync::Arc;

use mediaflow_shared::Infra;
use mediaflow_shared::cache::{Cache, ReadThrough, ReadThroughPolicy, ReadThroughStats};

use crate::domain::{ListQuery, VideoId};
use crate::settings::CacheSettings;

/// Cache key of the list generation counter.
pub const LIST_GENERATION_KEY: &str = "catalog:list-generation";

/// Cache key of one video.
pub fn video_cache_key(id: &VideoId) -> String {
    format!("catalog:video:{id}")
}

/// Both read-through layers over the shared cache.
#[derive(Debug)]
pub(crate) struct CatalogCache {
    /// The shared cache (generation counter).
    raw: Arc<dyn Cache>,
    /// Single videos.
    pub(crate) videos: ReadThrough,
    /// List pages.
    pub(crate) lists: ReadThrough,
}

impl CatalogCache {
    /// Caches over `infra.cache`; jitter seeds come from the deployment's id
    /// generator, so tests on a seeded generator spread TTLs reproducibly.
    pub(crate) fn new(infra: &Infra, settings: &CacheSettings) -> Self {
        let policy = |ttl| ReadThroughPolicy {
            ttl,
            jitter: settings.jitter,
            stale_while_revalidate: settings.stale_while_revalidate,
        };
        let seed = || infra.ids.uuid().as_u64_pair().0;
        Self {
            raw: infra.cache.clone(),
            videos: ReadThrough::new(
                infra.cache.clone(),
                infra.clock.clone(),
                policy(settings.video_ttl),
                seed(),
            ),
            lists: ReadThrough::new(
                infra.cache.clone(),
                infra.clock.clone(),
                policy(settings.list_ttl),
                seed(),
            ),
        }
    }

    /// The key of a list page under the current generation. An unreachable cache
    /// reads as generation 0: the page then loads from the database anyway.
    pub(crate) async fn list_key(&self, query: &ListQuery) -> String {
        let generation = match self.raw.get(LIST_GENERATION_KEY).await {
            Ok(Some(bytes)) => String::from_utf8_lossy(&bytes).trim().to_owned(),
            Ok(None) | Err(_) => "0".to_owned(),
        };
        format!("catalog:list:{generation}:{}", query.cache_key_part())
    }

    /// Forgets everything cached about `id`: its entry and every list page. A
    /// failure leaves entries to expire at their TTL; the write already committed,
    /// so it is not undone for a cache outage.
    pub(crate) async fn invalidate(&self, id: &VideoId) {
        let _ = self.videos.invalidate(&video_cache_key(id)).await;
        let _ = self.raw.incr(LIST_GENERATION_KEY, 1, None).await;
    }

    /// Counters of both layers: (videos, lists).
    pub(crate) fn stats(&self) -> (ReadThroughStats, ReadThroughStats) {
        (self.videos.stats(), self.lists.stats())
    }
}
