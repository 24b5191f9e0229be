//! Running one statement on a PostgreSQL connection: `$n` placeholders checked the
//! way the embedded engine checks them, values bound with explicit types, columns
//! converted to the [`SqlValue`] shapes SQLite produces, errors mapped onto
//! [`StoreError`].

use std::collections::BTreeSet;
use std::error::Error as StdError;
use std::fmt::Write as _;
use std::pin::pin;
use std::sync::Arc;

use bytes::BytesMut;
use futures_util::TryStreamExt;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};
use tokio_postgres::{Client, Error};

use crate::store::{Row, SqlValue, StoreError};

type BoxError = Box<dyn StdError + Sync + Send>;

/// Microseconds between the Unix epoch and PostgreSQL's (2000-01-01).
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;

/// A [`SqlValue`] bound with the type [`param_type`] declares for it.
#[derive(Debug)]
struct Param<'a>(&'a SqlValue);

/// The declared type of a parameter. Integers are `INT8` and reals `FLOAT8`: the
/// server casts them to an `INT4`/`REAL` column on assignment and compares them
/// across widths, so one Rust type serves every integer column. NULL is declared
/// `UNKNOWN`, which lets the server take the type from the context, as SQLite does.
fn param_type(value: &SqlValue) -> Type {
    match value {
        SqlValue::Null => Type::UNKNOWN,
        SqlValue::Integer(_) => Type::INT8,
        SqlValue::Real(_) => Type::FLOAT8,
        SqlValue::Text(_) => Type::TEXT,
        SqlValue::Blob(_) => Type::BYTEA,
        SqlValue::Bool(_) => Type::BOOL,
    }
}

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self.0 {
            SqlValue::Null => Ok(IsNull::Yes),
            SqlValue::Integer(v) => v.to_sql(ty, out),
            SqlValue::Real(v) => v.to_sql(ty, out),
            SqlValue::Text(v) => v.as_str().to_sql(ty, out),
            SqlValue::Blob(v) => v.as_slice().to_sql(ty, out),
            SqlValue::Bool(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(_ty: &Type) -> bool {
        // The type is always the one `param_type` declared for the value.
        true
    }

    to_sql_checked!();
}

/// One column value, converted by column type.
struct Cell(SqlValue);

impl<'a> FromSql<'a> for Cell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let value = match *ty {
            Type::INT2 => SqlValue::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::INT4 => SqlValue::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT8 => SqlValue::Integer(i64::from_sql(ty, raw)?),
            Type::OID => SqlValue::Integer(i64::from(u32::from_sql(ty, raw)?)),
            Type::FLOAT4 => SqlValue::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::FLOAT8 => SqlValue::Real(f64::from_sql(ty, raw)?),
            Type::NUMERIC => numeric(raw)?,
            // SQLite has no boolean type: it stores and returns 0/1, so callers
            // see the same value on both engines (`get::<bool>` reads either).
            Type::BOOL => SqlValue::Integer(i64::from(bool::from_sql(ty, raw)?)),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
                SqlValue::Text(<&str>::from_sql(&Type::TEXT, raw)?.to_owned())
            }
            Type::BYTEA => SqlValue::Blob(raw.to_vec()),
            // Microseconds since the Unix epoch, as `timestamp_to_micros` stores
            // time in a BIGINT column; infinities saturate.
            Type::TIMESTAMPTZ | Type::TIMESTAMP => {
                SqlValue::Integer(i64::from_sql(&Type::INT8, raw)?.saturating_add(PG_EPOCH_MICROS))
            }
            _ => {
                return Err(format!(
                    "a value of PostgreSQL type `{ty}`, which the store does not read; \
                     cast the column in the query (`::text`, `::bigint`)"
                )
                .into());
            }
        };
        Ok(Self(value))
    }

    fn from_sql_null(_ty: &Type) -> Result<Self, BoxError> {
        Ok(Self(SqlValue::Null))
    }

    fn accepts(_ty: &Type) -> bool {
        true
    }
}

/// Decodes PostgreSQL's binary NUMERIC (base-10000 digits). A value without
/// decimals that fits (`SUM` of integers) is an integer, as SQLite returns it;
/// anything else is a float.
fn numeric(raw: &[u8]) -> Result<SqlValue, BoxError> {
    let word = |i: usize| -> Result<u16, BoxError> {
        raw.get(i * 2..i * 2 + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
            .ok_or_else(|| "a truncated NUMERIC value".into())
    };
    let ndigits = usize::from(word(0)?);
    let weight = i32::from(word(1)? as i16);
    let sign = word(2)?;
    let dscale = word(3)?;
    match sign {
        0xC000 => return Ok(SqlValue::Real(f64::NAN)),
        0xD000 => return Ok(SqlValue::Real(f64::INFINITY)),
        0xF000 => return Ok(SqlValue::Real(f64::NEG_INFINITY)),
        _ => {}
    }
    let negative = sign == 0x4000;
    let digits = (0..ndigits)
        .map(|i| word(4 + i))
        .collect::<Result<Vec<_>, _>>()?;
    let digit = |i: i32| -> u16 {
        usize::try_from(i)
            .ok()
            .and_then(|i| digits.get(i).copied())
            .unwrap_or(0)
    };
    let integral = i32::try_from(ndigits).unwrap_or(i32::MAX) <= weight + 1;
    if dscale == 0 && integral {
        let mut acc: Option<i128> = Some(0);
        for i in 0..=weight {
            acc = acc
                .and_then(|a| a.checked_mul(10_000))
                .and_then(|a| a.checked_add(i128::from(digit(i))));
        }
        if let Some(acc) = acc.map(|a| if negative { -a } else { a })
            && let Ok(v) = i64::try_from(acc)
        {
            return Ok(SqlValue::Integer(v));
        }
    }
    let mut text = String::new();
    if negative {
        text.push('-');
    }
    if weight < 0 {
        text.push('0');
    } else {
        for i in 0..=weight {
            if i == 0 {
                let _ = write!(text, "{}", digit(i));
            } else {
                let _ = write!(text, "{:04}", digit(i));
            }
        }
    }
    text.push('.');
    for _ in 0..(-weight - 1).max(0) {
        text.push_str("0000");
    }
    for i in (weight + 1).max(0)..i32::try_from(ndigits).unwrap_or(0) {
        let _ = write!(text, "{:04}", digit(i));
    }
    text.push('0');
    Ok(SqlValue::Real(text.parse()?))
}

/// Maps a driver error; `url` (password redacted) names the server when the
/// connection itself failed.
pub(super) fn map_error(err: &Error, url: &str) -> StoreError {
    if let Some(db) = err.as_db_error() {
        let mut text = db.message().to_owned();
        if let Some(detail) = db.detail() {
            let _ = write!(text, " ({detail})");
        }
        let code = db.code();
        return if [
            SqlState::UNIQUE_VIOLATION,
            SqlState::FOREIGN_KEY_VIOLATION,
            SqlState::CHECK_VIOLATION,
            SqlState::NOT_NULL_VIOLATION,
            SqlState::EXCLUSION_VIOLATION,
            SqlState::RESTRICT_VIOLATION,
        ]
        .contains(code)
        {
            StoreError::Constraint(text)
        } else if [
            SqlState::T_R_SERIALIZATION_FAILURE,
            SqlState::T_R_DEADLOCK_DETECTED,
            SqlState::LOCK_NOT_AVAILABLE,
        ]
        .contains(code)
        {
            StoreError::Conflict(text)
        } else if [
            SqlState::ADMIN_SHUTDOWN,
            SqlState::CRASH_SHUTDOWN,
            SqlState::CANNOT_CONNECT_NOW,
            SqlState::TOO_MANY_CONNECTIONS,
            SqlState::INVALID_PASSWORD,
            SqlState::INVALID_AUTHORIZATION_SPECIFICATION,
            SqlState::INVALID_CATALOG_NAME,
        ]
        .contains(code)
        {
            StoreError::Unavailable(format!("PostgreSQL at {url}: {text}"))
        } else {
            StoreError::Sql(text)
        };
    }
    if err.is_closed() || err.source().is_some_and(|s| s.is::<std::io::Error>()) {
        return StoreError::Unavailable(format!(
            "connection to PostgreSQL at {url} failed: {err}; check the server is running"
        ));
    }
    StoreError::Sql(err.to_string())
}

/// The `$n` placeholders of a statement, outside quoted text, quoted identifiers
/// and comments.
fn placeholders(sql: &str) -> BTreeSet<usize> {
    let mut found = BTreeSet::new();
    let bytes = sql.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            quote @ (b'\'' | b'"') => {
                i += 1;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'$' => {
                let start = i + 1;
                let mut end = start;
                while end < bytes.len() && bytes[end].is_ascii_digit() {
                    end += 1;
                }
                if end > start
                    && let Ok(n) = sql[start..end].parse()
                {
                    found.insert(n);
                }
                i = end.max(i + 1) - 1;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// The same checks, and the same messages, as the embedded engine's binding:
/// exactly the placeholders `$1..=$n` for `n` values.
fn check_placeholders(sql: &str, params: &[SqlValue]) -> Result<(), StoreError> {
    let used = placeholders(sql);
    if used.len() != params.len() {
        return Err(StoreError::Sql(format!(
            "the statement has {} distinct placeholders but {} values were passed; \
             pass exactly one value per `$n` placeholder",
            used.len(),
            params.len()
        )));
    }
    if let Some(missing) = (1..=params.len()).find(|n| !used.contains(n)) {
        return Err(StoreError::Sql(format!(
            "placeholder `${missing}` does not appear in the statement; number placeholders \
             `$1`..`${}` without gaps and do not mix them with `?`",
            params.len()
        )));
    }
    Ok(())
}

/// Runs one statement; its rows (none for most writes) and the rows it affected.
pub(super) async fn run(
    client: &Client,
    url: &str,
    sql: &str,
    params: &[SqlValue],
) -> Result<(Vec<Row>, u64), StoreError> {
    check_placeholders(sql, params)?;
    let bound: Vec<Param<'_>> = params.iter().map(Param).collect();
    let typed = bound
        .iter()
        .map(|p| (p as &(dyn ToSql + Sync), param_type(p.0)));
    let stream = client
        .query_typed_raw(sql, typed)
        .await
        .map_err(|e| map_error(&e, url))?;
    let mut stream = pin!(stream);
    let mut columns: Option<Arc<[String]>> = None;
    let mut rows = Vec::new();
    while let Some(row) = stream.try_next().await.map_err(|e| map_error(&e, url))? {
        let names =
            Arc::clone(columns.get_or_insert_with(|| {
                row.columns().iter().map(|c| c.name().to_owned()).collect()
            }));
        let mut values = Vec::with_capacity(names.len());
        for (index, column) in names.iter().enumerate() {
            let cell = row
                .try_get::<_, Cell>(index)
                .map_err(|err| StoreError::Decode {
                    column: column.clone(),
                    expected: "a type the store reads",
                    found: err
                        .source()
                        .map_or_else(|| err.to_string(), ToString::to_string),
                })?;
            values.push(cell.0);
        }
        rows.push(Row::new(names, values));
    }
    let affected = stream.rows_affected().unwrap_or(0);
    Ok((rows, affected))
}
