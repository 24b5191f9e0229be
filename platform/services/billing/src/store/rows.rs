//! Typed reads of stored columns: timestamps, money, currencies and the
//! service's enums, each failing as a corrupt record rather than panicking.

use mediaflow_shared::clock::Timestamp;
use mediaflow_shared::money::{Currency, Money};
use mediaflow_shared::store::{Row, micros_to_timestamp};

use crate::error::BillingError;

fn corrupt(column: &str, what: &str) -> BillingError {
    BillingError::Corrupt(format!("column `{column}` holds an invalid {what}"))
}

/// A timestamp column.
pub fn timestamp(row: &Row, column: &str) -> Result<Timestamp, BillingError> {
    micros_to_timestamp(row.get::<i64>(column)?).ok_or_else(|| corrupt(column, "timestamp"))
}

/// A nullable timestamp column.
pub fn opt_timestamp(row: &Row, column: &str) -> Result<Option<Timestamp>, BillingError> {
    row.get::<Option<i64>>(column)?
        .map(|micros| micros_to_timestamp(micros).ok_or_else(|| corrupt(column, "timestamp")))
        .transpose()
}

/// A currency code column.
pub fn currency(row: &Row, column: &str) -> Result<Currency, BillingError> {
    row.get::<String>(column)?
        .parse()
        .map_err(|_| corrupt(column, "currency"))
}

/// A minor-units column as money in `currency`.
pub fn money(row: &Row, column: &str, currency: Currency) -> Result<Money, BillingError> {
    Ok(Money::from_minor(row.get::<i64>(column)?, currency))
}

/// A text column parsed by `parse` (the service's enums).
pub fn parsed<T>(
    row: &Row,
    column: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<T, BillingError> {
    let text: String = row.get(column)?;
    parse(&text).ok_or_else(|| corrupt(column, "value"))
}

/// A non-negative integer column that fits `u32`.
pub fn small(row: &Row, column: &str) -> Result<u32, BillingError> {
    u32::try_from(row.get::<i64>(column)?).map_err(|_| corrupt(column, "count"))
}

/// A non-negative integer column as `u64` (sequences, fencing tokens).
pub fn count(row: &Row, column: &str) -> Result<u64, BillingError> {
    u64::try_from(row.get::<i64>(column)?).map_err(|_| corrupt(column, "count"))
}

/// A `u64` for a `BIGINT` parameter; values beyond `i64` saturate (never reached
/// by sequences or tokens).
pub fn bigint(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
