//! PostgreSQL databases under a schema prefix of one test, dropped (with
//! everything in them) when the last handle goes away.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use mediaflow_shared::store::{PostgresDatabases, PostgresSettings, SqlDatabases, SqlStore};

use super::detached::run_detached;

/// [`PostgresDatabases`] whose schemas `<prefix><name>` are dropped on drop.
#[derive(Debug)]
pub struct DroppedSchemas {
    settings: PostgresSettings,
    prefix: String,
    inner: PostgresDatabases,
    /// The names opened, to drop on a fresh handle (the pools of `inner` may
    /// belong to a runtime that is gone by then).
    opened: Mutex<BTreeSet<String>>,
}

impl DroppedSchemas {
    /// Databases on `settings`'s server whose schemas are named `<prefix><name>`.
    pub fn new(settings: PostgresSettings, prefix: &str) -> Self {
        Self {
            inner: PostgresDatabases::with_schema_prefix(settings.clone(), prefix),
            settings,
            prefix: prefix.to_owned(),
            opened: Mutex::new(BTreeSet::new()),
        }
    }
}

impl SqlDatabases for DroppedSchemas {
    fn database(&self, name: &str) -> Arc<dyn SqlStore> {
        let store = self.inner.database(name);
        self.opened
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(name.to_owned());
        store
    }
}

impl Drop for DroppedSchemas {
    fn drop(&mut self) {
        let opened = std::mem::take(
            &mut *self
                .opened
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        if opened.is_empty() {
            return;
        }
        let (settings, prefix) = (self.settings.clone(), self.prefix.clone());
        run_detached(&format!("schemas {prefix}*"), move || async move {
            let fresh = PostgresDatabases::with_schema_prefix(settings.with_pool_size(1), &prefix);
            for name in &opened {
                let _ = fresh.database(name);
            }
            fresh.drop_schemas().await.map_err(|e| e.to_string())
        });
    }
}
