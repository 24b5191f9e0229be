//! One service's database swapped for another store in an [`Infra`], to slide a
//! decorator (a counting, fault-injecting or gated store) under that service
//! while every other database stays as it was.

use std::sync::Arc;

use mediaflow_shared::Infra;
use mediaflow_shared::store::{SqlDatabases, SqlStore};

/// Serves one database name from a given store and every other name from the
/// databases it wraps.
#[derive(Debug)]
pub struct OverrideDatabase {
    name: String,
    store: Arc<dyn SqlStore>,
    rest: Arc<dyn SqlDatabases>,
}

impl OverrideDatabase {
    /// `name` is served by `store`, the rest by `rest`.
    pub fn new(name: &str, store: Arc<dyn SqlStore>, rest: Arc<dyn SqlDatabases>) -> Self {
        Self {
            name: name.to_owned(),
            store,
            rest,
        }
    }
}

impl SqlDatabases for OverrideDatabase {
    fn database(&self, name: &str) -> Arc<dyn SqlStore> {
        if name == self.name {
            Arc::clone(&self.store)
        } else {
            self.rest.database(name)
        }
    }
}

/// `infra` with `service`'s database replaced by `store`, typically a decorator
/// around `infra.database(service)` that the test keeps a typed handle to.
pub fn with_store(infra: &Infra, service: &str, store: Arc<dyn SqlStore>) -> Infra {
    let databases = OverrideDatabase::new(service, store, infra.databases.clone());
    infra.clone().with_databases(Arc::new(databases))
}

/// `infra` with `service`'s database wrapped by `wrap` (e.g. `CountingStore::new`
/// or `ChaosStore::new`), and the wrapper, for the test to count, fail or gate
/// the statements that service sends.
pub fn wrap_store<W: SqlStore + 'static>(
    infra: &Infra,
    service: &str,
    wrap: impl FnOnce(Arc<dyn SqlStore>) -> W,
) -> (Infra, Arc<W>) {
    let store = Arc::new(wrap(infra.database(service)));
    (with_store(infra, service, store.clone()), store)
}
