//! A small connection pool per schema: at most `size` connections behind a
//! semaphore, opened lazily, each bound to its schema when opened. Every wait is
//! bounded, so an unreachable or saturated server is an error, never a hang.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_postgres::{Client, Config, NoTls};

use super::exec::map_error;
use crate::store::StoreError;

/// How long a caller waits for a free connection before [`StoreError::Conflict`],
/// the same bound the embedded engine puts on waiting for its connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long opening a connection may take before [`StoreError::Unavailable`].
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Client-side bound on one round trip; above the server's `statement_timeout`
/// so the server's own error normally wins. A lost connection fails at this point.
pub(super) const CALL_TIMEOUT: Duration = Duration::from_secs(40);

/// Session settings of every connection: the server bounds lock waits (a conflict,
/// as SQLite's busy timeout), statements, and transactions left idle by a client
/// that vanished, so nothing waits forever on the server side either.
const SESSION: &str = "SET lock_timeout = '5s'; SET statement_timeout = '30s'; \
                       SET idle_in_transaction_session_timeout = '60s'";

/// Connections to one schema.
pub(super) struct Pool {
    /// Server settings (URL already parsed).
    config: Config,
    /// The schema, already quoted as an identifier.
    schema: String,
    /// The URL with the password redacted, for messages.
    pub(super) url: Arc<str>,
    /// One permit per connection the pool may have open.
    permits: Arc<Semaphore>,
    /// Open connections not in use.
    idle: Mutex<Vec<Client>>,
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("url", &self.url)
            .field("schema", &self.schema)
            .field("available", &self.permits.available_permits())
            .finish_non_exhaustive()
    }
}

impl Pool {
    pub(super) fn new(config: Config, schema: String, url: Arc<str>, size: usize) -> Self {
        Self {
            config,
            schema,
            url,
            permits: Arc::new(Semaphore::new(size.max(1))),
            idle: Mutex::new(Vec::new()),
        }
    }

    /// A connection for the caller's exclusive use until the guard is dropped.
    pub(super) async fn acquire(self: &Arc<Self>) -> Result<Conn, StoreError> {
        let permit =
            tokio::time::timeout(ACQUIRE_TIMEOUT, Arc::clone(&self.permits).acquire_owned())
                .await
                .map_err(|_| {
                    StoreError::Conflict(format!(
                        "every connection to schema {} stayed busy for {ACQUIRE_TIMEOUT:?}: \
                         transactions hold them; finish those transactions, and never call \
                         the store from a task that holds one",
                        self.schema
                    ))
                })?
                .map_err(|_| StoreError::Unavailable("the connection pool is closed".into()))?;
        let reused = {
            let mut idle = self.idle.lock().expect("pool poisoned");
            let mut found = None;
            while let Some(client) = idle.pop() {
                if !client.is_closed() {
                    found = Some(client);
                    break;
                }
            }
            found
        };
        let client = match reused {
            Some(client) => client,
            None => self.connect().await?,
        };
        Ok(Conn {
            client: Some(client),
            pool: Arc::clone(self),
            _permit: permit,
        })
    }

    /// Opens a connection, creates the schema if needed and binds the session to it.
    async fn connect(&self) -> Result<Client, StoreError> {
        let unavailable = |reason: String| {
            StoreError::Unavailable(format!(
                "cannot connect to PostgreSQL at {}: {reason}; start the server \
                 (`infrastructure/local/postgres.sh start` or `mediaflow up postgres`) \
                 or unset MEDIAFLOW_DATABASE_URL to use the embedded database",
                self.url
            ))
        };
        let (client, connection) =
            tokio::time::timeout(CONNECT_TIMEOUT, self.config.connect(NoTls))
                .await
                .map_err(|_| unavailable(format!("no answer within {CONNECT_TIMEOUT:?}")))?
                .map_err(|err| match map_error(&err, &self.url) {
                    StoreError::Unavailable(text) if text.contains(&*self.url) => {
                        StoreError::Unavailable(text)
                    }
                    _ => unavailable(err.to_string()),
                })?;
        // The connection task ends when the client is dropped or the socket closes.
        tokio::spawn(async move {
            let _ = connection.await;
        });
        let setup = format!(
            "{SESSION}; CREATE SCHEMA IF NOT EXISTS {0}; SET search_path TO {0}",
            self.schema
        );
        // Two connections creating the same schema at once: the loser sees a
        // unique violation on the catalog, and the schema exists by then.
        for attempt in 0..2 {
            match call(client.batch_execute(&setup)).await {
                Ok(Ok(())) => return Ok(client),
                Ok(Err(err)) => match map_error(&err, &self.url) {
                    StoreError::Constraint(_) if attempt == 0 => {}
                    other => return Err(other),
                },
                Err(timeout) => return Err(timeout),
            }
        }
        Err(unavailable(format!("cannot create schema {}", self.schema)))
    }

    /// Runs `sql` (parameterless) on a connection of this pool.
    pub(super) async fn batch(self: &Arc<Self>, sql: &str) -> Result<(), StoreError> {
        let conn = self.acquire().await?;
        let result = call(conn.client().batch_execute(sql)).await?;
        result.map_err(|err| map_error(&err, &self.url))
    }

    /// Closes the idle connections (after the schema was dropped).
    pub(super) fn close_idle(&self) {
        self.idle.lock().expect("pool poisoned").clear();
    }
}

/// Bounds one round trip by [`CALL_TIMEOUT`].
pub(super) async fn call<T>(future: impl Future<Output = T>) -> Result<T, StoreError> {
    tokio::time::timeout(CALL_TIMEOUT, future)
        .await
        .map_err(|_| {
            StoreError::Unavailable(format!(
                "PostgreSQL did not answer within {CALL_TIMEOUT:?}; the connection may be lost"
            ))
        })
}

/// A connection taken from a [`Pool`]; returned to it on drop unless closed or
/// taken out with [`Conn::discard`].
pub(super) struct Conn {
    client: Option<Client>,
    pool: Arc<Pool>,
    _permit: OwnedSemaphorePermit,
}

impl fmt::Debug for Conn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conn")
            .field("url", &self.pool.url)
            .finish_non_exhaustive()
    }
}

impl Conn {
    pub(super) fn client(&self) -> &Client {
        self.client.as_ref().expect("a live connection")
    }

    pub(super) fn url(&self) -> &str {
        &self.pool.url
    }

    /// Closes the connection instead of returning it (its session state is unknown).
    pub(super) fn discard(&mut self) {
        self.client = None;
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(client) = self.client.take()
            && !client.is_closed()
        {
            self.pool.idle.lock().expect("pool poisoned").push(client);
        }
    }
}
