//! Value helpers every SQL user needs and that must behave the same on SQLite and
//! PostgreSQL: timestamps as integer microseconds and escaped `LIKE` patterns.

use chrono::DateTime;

use crate::clock::Timestamp;

/// A timestamp as microseconds since the Unix epoch, the portable way to keep time
/// in a `BIGINT` column (both engines compare and index it natively, and PostgreSQL's
/// own timestamps have microsecond precision too).
pub fn timestamp_to_micros(at: Timestamp) -> i64 {
    at.timestamp_micros()
}

/// The timestamp stored by [`timestamp_to_micros`]; `None` when the integer is outside
/// chrono's range (a corrupt row, since every stored value came from a `Timestamp`).
pub fn micros_to_timestamp(micros: i64) -> Option<Timestamp> {
    DateTime::from_timestamp_micros(micros)
}

/// Escapes user text for use inside a `LIKE` pattern so `%`, `_` and `\` match
/// themselves. Bind the result as a parameter and write the clause as
/// `column LIKE $1 ESCAPE '\'`; without the escape a search for `100%` or `a_b`
/// matches far more rows than the user asked for.
///
/// SQLite's `LIKE` ignores ASCII case and PostgreSQL's does not: compare
/// `LOWER(column)` with a lowercased pattern when case must not matter on both.
pub fn like_pattern(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// A `LIKE` pattern matching values that contain `text` anywhere (`%text%`, with
/// `text` escaped by [`like_pattern`]); use with `ESCAPE '\'`.
pub fn like_contains(text: &str) -> String {
    format!("%{}%", like_pattern(text))
}
