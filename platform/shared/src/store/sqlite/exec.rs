//! Running one statement on a rusqlite connection: binding `$n` placeholders by
//! name, converting values both ways and mapping SQLite errors onto [`StoreError`].

use std::sync::Arc;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, Statement, ToSql};

use crate::store::{Row, SqlValue, StoreError};

/// Borrows a [`SqlValue`] for binding without copying text or bytes.
struct Bound<'a>(&'a SqlValue);

impl ToSql for Bound<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0 {
            SqlValue::Null => ValueRef::Null,
            SqlValue::Integer(v) => ValueRef::Integer(*v),
            SqlValue::Real(v) => ValueRef::Real(*v),
            SqlValue::Text(v) => ValueRef::Text(v.as_bytes()),
            SqlValue::Blob(v) => ValueRef::Blob(v),
            SqlValue::Bool(v) => ValueRef::Integer(i64::from(*v)),
        }))
    }
}

/// Maps a rusqlite error to the store's error kinds, keeping SQLite's own text.
pub(super) fn map_error(err: rusqlite::Error) -> StoreError {
    match err {
        rusqlite::Error::SqliteFailure(failure, message) => {
            let text = message.unwrap_or_else(|| failure.to_string());
            match failure.code {
                ErrorCode::ConstraintViolation => StoreError::Constraint(text),
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => StoreError::Conflict(text),
                ErrorCode::CannotOpen | ErrorCode::SystemIoFailure | ErrorCode::DiskFull => {
                    StoreError::Unavailable(text)
                }
                _ => StoreError::Sql(text),
            }
        }
        rusqlite::Error::ExecuteReturnedResults => StoreError::Sql(
            "the statement returns rows; run it with `query` instead of `execute`".to_owned(),
        ),
        other => StoreError::Sql(other.to_string()),
    }
}

/// Binds `params[i]` to the placeholder named `$i+1`, wherever it sits in the text,
/// so `$2` written before `$1` still receives the second value. The statement must
/// use exactly the placeholders `$1..=$n` for `n` values.
fn bind(stmt: &mut Statement<'_>, params: &[SqlValue]) -> Result<(), StoreError> {
    let used = stmt.parameter_count();
    if used != params.len() {
        return Err(StoreError::Sql(format!(
            "the statement has {used} distinct placeholders but {} values were passed; \
             pass exactly one value per `$n` placeholder",
            params.len()
        )));
    }
    for (position, value) in params.iter().enumerate() {
        let name = format!("${}", position + 1);
        let index = stmt
            .parameter_index(&name)
            .map_err(map_error)?
            .ok_or_else(|| {
                StoreError::Sql(format!(
                    "placeholder `{name}` does not appear in the statement; number placeholders \
                     `$1`..`${}` without gaps and do not mix them with `?`",
                    params.len()
                ))
            })?;
        stmt.raw_bind_parameter(index, Bound(value))
            .map_err(map_error)?;
    }
    Ok(())
}

/// Converts one column of a result row.
fn read_value(value: ValueRef<'_>, column: &str) -> Result<SqlValue, StoreError> {
    Ok(match value {
        ValueRef::Null => SqlValue::Null,
        ValueRef::Integer(v) => SqlValue::Integer(v),
        ValueRef::Real(v) => SqlValue::Real(v),
        ValueRef::Text(bytes) => SqlValue::Text(
            std::str::from_utf8(bytes)
                .map_err(|err| StoreError::Decode {
                    column: column.to_owned(),
                    expected: "utf-8 text",
                    found: format!("invalid utf-8 ({err})"),
                })?
                .to_owned(),
        ),
        ValueRef::Blob(bytes) => SqlValue::Blob(bytes.to_vec()),
    })
}

/// Runs a statement that returns no rows; the number of rows it changed.
pub(super) fn execute(
    conn: &Connection,
    sql: &str,
    params: &[SqlValue],
) -> Result<u64, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(map_error)?;
    bind(&mut stmt, params)?;
    let changed = stmt.raw_execute().map_err(map_error)?;
    Ok(u64::try_from(changed).unwrap_or(u64::MAX))
}

/// Runs a statement and collects every row it returns (also `… RETURNING`).
pub(super) fn query(
    conn: &Connection,
    sql: &str,
    params: &[SqlValue],
) -> Result<Vec<Row>, StoreError> {
    let mut stmt = conn.prepare_cached(sql).map_err(map_error)?;
    bind(&mut stmt, params)?;
    let mut rows = stmt.raw_query();
    let mut columns: Option<Arc<[String]>> = None;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(map_error)? {
        // Names are read once the first row exists: SQLite re-prepares a cached
        // statement on its first step after a schema change, so only then do they
        // include a column added since (`SELECT *` after a migration).
        let names = Arc::clone(
            columns.get_or_insert_with(|| row.as_ref().column_names().map(str::to_owned).collect()),
        );
        let mut values = Vec::with_capacity(names.len());
        for (index, column) in names.iter().enumerate() {
            values.push(read_value(row.get_ref(index).map_err(map_error)?, column)?);
        }
        out.push(Row::new(names, values));
    }
    Ok(out)
}

/// Runs several parameterless statements (DDL, migrations).
pub(super) fn execute_batch(conn: &Connection, sql: &str) -> Result<(), StoreError> {
    conn.execute_batch(sql).map_err(map_error)
}
