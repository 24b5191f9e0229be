//! Schema migrations per service database: numbered SQL scripts applied once, each
//! in its own transaction, recorded with a checksum so an edited script is caught.
//!
//! Version numbers share one `schema_migrations` table per database. Services
//! number their own migrations from 1; the shared components reserve ranges above
//! one million (event store 1_000_100…, outbox 1_000_200…, processed events
//! 1_000_300…), so a service lists its migrations first and appends the shared
//! ones. A migration missing from the database is applied even when a higher
//! version already is, which lets a service add its migration 7 after the shared
//! ones were applied.
//!
//! A script may hold several statements. They are split at each `;` that ends a
//! statement (outside quotes and comments) and run one by one inside the
//! transaction; scripts must therefore not contain trigger bodies with inner `;`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::params;
use crate::store::{Dialect, SqlStore, StoreError};

/// One schema change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Migration {
    /// Position in the schema's history; strictly increasing within a list.
    pub version: u32,
    /// Short description, recorded with the version.
    pub name: &'static str,
    /// The statements, separated by `;`. Must run on SQLite and PostgreSQL alike.
    pub sql: &'static str,
}

/// What a [`migrate`] call did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MigrationReport {
    /// Versions applied by this call, in order.
    pub applied: Vec<u32>,
    /// Migrations of the list that were already applied (and unchanged).
    pub already: usize,
}

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (\
    version BIGINT PRIMARY KEY, \
    name TEXT NOT NULL, \
    checksum TEXT NOT NULL, \
    applied_at BIGINT NOT NULL)";

/// Brings the database up to date with `migrations`.
///
/// Fails without touching the database when the versions are not strictly
/// increasing, with [`StoreError::MigrationChanged`] when an applied script was
/// edited since, and with the failing statement's error (the version named in the
/// message) when a script fails, in which case that script left nothing behind.
/// Running it again is a no-op. When two instances start at once, the second to
/// record a version fails on the primary key and can simply retry.
pub async fn migrate(
    store: &dyn SqlStore,
    migrations: &[Migration],
) -> Result<MigrationReport, StoreError> {
    check_order(migrations)?;
    store.execute(CREATE_TABLE, &[]).await?;
    let mut applied = BTreeMap::new();
    for row in store
        .query("SELECT version, checksum FROM schema_migrations", &[])
        .await?
    {
        applied.insert(row.get::<i64>("version")?, row.get::<String>("checksum")?);
    }

    let mut report = MigrationReport::default();
    for migration in migrations {
        let checksum = checksum(migration.sql);
        match applied.get(&i64::from(migration.version)) {
            Some(recorded) if *recorded == checksum => report.already += 1,
            Some(_) => {
                return Err(StoreError::MigrationChanged {
                    version: migration.version,
                    name: migration.name.to_owned(),
                });
            }
            None => {
                apply(store, migration, &checksum).await?;
                report.applied.push(migration.version);
            }
        }
    }
    Ok(report)
}

/// Rejects lists whose versions do not strictly increase (duplicates included).
fn check_order(migrations: &[Migration]) -> Result<(), StoreError> {
    for pair in migrations.windows(2) {
        if pair[1].version <= pair[0].version {
            return Err(StoreError::Sql(format!(
                "migration {} `{}` is listed after {} `{}`; versions must strictly increase, \
                 so renumber the newer migration",
                pair[1].version, pair[1].name, pair[0].version, pair[0].name
            )));
        }
    }
    Ok(())
}

/// Runs one migration and records it in the same transaction.
async fn apply(
    store: &dyn SqlStore,
    migration: &Migration,
    checksum: &str,
) -> Result<(), StoreError> {
    let context = |err: StoreError| match err {
        StoreError::Sql(text) => StoreError::Sql(format!(
            "migration {} `{}` failed: {text}; fix the script, nothing of it was applied",
            migration.version, migration.name
        )),
        StoreError::Constraint(text) => StoreError::Constraint(format!(
            "migration {} `{}`: {text}",
            migration.version, migration.name
        )),
        other => other,
    };
    let mut tx = store.begin().await?;
    for statement in split_statements(migration.sql) {
        // On error the transaction is dropped, which rolls the whole script back.
        tx.execute(&statement, &[]).await.map_err(context)?;
    }
    let record = format!(
        "INSERT INTO schema_migrations (version, name, checksum, applied_at) \
         VALUES ($1, $2, $3, {})",
        epoch_seconds(store.dialect())
    );
    tx.execute(
        &record,
        &params![
            i64::from(migration.version),
            migration.name,
            checksum.to_owned()
        ],
    )
    .await
    .map_err(context)?;
    tx.commit().await
}

/// The database's current time in Unix seconds. `applied_at` is an audit column
/// that the database stamps, as a `DEFAULT now()` would; no logic reads it.
fn epoch_seconds(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "CAST(strftime('%s', 'now') AS BIGINT)",
        Dialect::Postgres => "CAST(EXTRACT(EPOCH FROM now()) AS BIGINT)",
    }
}

/// SHA-256 of the script, in lowercase hex.
fn checksum(sql: &str) -> String {
    let digest = Sha256::digest(sql.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest.iter() {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// Splits a script at the `;` that end statements, skipping `;` inside quoted text,
/// quoted identifiers and comments. Comments are dropped and empty statements
/// skipped.
pub(crate) fn split_statements(script: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                current.push(c);
                // A doubled quote inside is an escaped quote: the loop re-enters.
                for inner in chars.by_ref() {
                    current.push(inner);
                    if inner == c {
                        break;
                    }
                }
            }
            '-' if chars.peek() == Some(&'-') => {
                for inner in chars.by_ref() {
                    if inner == '\n' {
                        current.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut previous = '\0';
                for inner in chars.by_ref() {
                    if previous == '*' && inner == '/' {
                        break;
                    }
                    previous = inner;
                }
                current.push(' ');
            }
            ';' => push_statement(&mut statements, &mut current),
            _ => current.push(c),
        }
    }
    push_statement(&mut statements, &mut current);
    statements
}

fn push_statement(statements: &mut Vec<String>, current: &mut String) {
    let statement = current.trim();
    if !statement.is_empty() {
        statements.push(statement.to_owned());
    }
    current.clear();
}
