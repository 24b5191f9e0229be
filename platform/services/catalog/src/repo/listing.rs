//! List and search queries over the read model. A page is one statement whatever
//! its size (tags live in the row, so nothing is fetched per video), keyset
//! pagination continues after the cursor's (sort key, id), and search binds an
//! escaped `LIKE` pattern.

use mediaflow_shared::store::{SqlStore, SqlValue, StoreError, like_contains};

use super::rows::{CatalogEntry, decode, entry_columns};
use crate::domain::{Cursor, ListQuery, SearchQuery, SortField, SortKey, SortOrder, VideoStatus};

/// A statement under construction: fixed fragments plus bound values.
struct Statement {
    sql: String,
    params: Vec<SqlValue>,
}

impl Statement {
    fn new(head: &'static str) -> Self {
        Self {
            sql: head.to_owned(),
            params: Vec::new(),
        }
    }

    /// Binds a value and returns its placeholder.
    fn bind(&mut self, value: impl Into<SqlValue>) -> String {
        self.params.push(value.into());
        format!("${}", self.params.len())
    }

    fn push(&mut self, fragment: &str) {
        self.sql.push_str(fragment);
    }
}

/// The SQL expression a sort column stands for; the only way a sort choice reaches
/// the statement text.
fn sort_expression(sort: SortField) -> &'static str {
    match sort {
        SortField::PublishedAt => "COALESCE(published_at, 0)",
        SortField::Title => "title_key",
        SortField::Views => "views",
    }
}

/// The cursor value of an entry under `sort`.
pub(crate) fn sort_key(entry: &CatalogEntry, sort: SortField) -> SortKey {
    match sort {
        SortField::PublishedAt => SortKey::Int(
            entry
                .video
                .published_at
                .map_or(0, mediaflow_shared::store::timestamp_to_micros),
        ),
        SortField::Title => SortKey::Text(entry.video.metadata.title.sort_key()),
        SortField::Views => SortKey::Int(i64::try_from(entry.views).unwrap_or(i64::MAX)),
    }
}

/// One page of a listing: up to `limit` entries and the cursor of the next page
/// (`None` on the last page). Fetches one row more than the page to know whether
/// another page follows.
pub async fn list_page(
    store: &dyn SqlStore,
    query: &ListQuery,
) -> Result<(Vec<CatalogEntry>, Option<String>), StoreError> {
    let mut stmt = Statement::new(concat!(
        "SELECT ",
        entry_columns!(),
        " FROM videos WHERE 1 = 1"
    ));
    if let Some(status) = query.status {
        let p = stmt.bind(status.as_str());
        stmt.push(&format!(" AND status = {p}"));
    }
    if let Some(genre) = query.genre {
        let p = stmt.bind(genre.as_str());
        stmt.push(&format!(" AND genre = {p}"));
    }
    let expr = sort_expression(query.sort);
    let (cmp, direction) = match query.order {
        SortOrder::Asc => (">", "ASC"),
        SortOrder::Desc => ("<", "DESC"),
    };
    if let Some(Cursor { key, id }) = &query.after {
        let k = match key {
            SortKey::Int(value) => stmt.bind(*value),
            SortKey::Text(text) => stmt.bind(text.as_str()),
        };
        let i = stmt.bind(id.as_str());
        stmt.push(&format!(
            " AND ({expr} {cmp} {k} OR ({expr} = {k} AND id {cmp} {i}))"
        ));
    }
    let limit = stmt.bind(i64::from(query.limit) + 1);
    stmt.push(&format!(
        " ORDER BY {expr} {direction}, id {direction} LIMIT {limit}"
    ));

    let rows = store.query(&stmt.sql, &stmt.params).await?;
    let mut entries = rows.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
    let page = usize::try_from(query.limit).unwrap_or(usize::MAX);
    let next = if entries.len() > page {
        entries.truncate(page);
        entries.last().map(|last| {
            query.encode_cursor(&Cursor {
                key: sort_key(last, query.sort),
                id: last.video.id.clone(),
            })
        })
    } else {
        None
    };
    Ok((entries, next))
}

/// Published videos whose title, description or tags contain the search text;
/// title matches first, then by views.
pub async fn search(
    store: &dyn SqlStore,
    query: &SearchQuery,
) -> Result<Vec<CatalogEntry>, StoreError> {
    let mut stmt = Statement::new(concat!("SELECT ", entry_columns!(), " FROM videos WHERE "));
    let status = stmt.bind(VideoStatus::Published.as_str());
    let pattern = stmt.bind(like_contains(&query.text));
    stmt.push(&format!(
        "status = {status} AND search_text LIKE {pattern} ESCAPE '\\'"
    ));
    if let Some(genre) = query.genre {
        let p = stmt.bind(genre.as_str());
        stmt.push(&format!(" AND genre = {p}"));
    }
    let limit = stmt.bind(i64::from(query.limit));
    stmt.push(&format!(
        " ORDER BY CASE WHEN title_key LIKE {pattern} ESCAPE '\\' THEN 0 ELSE 1 END, \
         views DESC, id ASC LIMIT {limit}"
    ));
    let rows = store.query(&stmt.sql, &stmt.params).await?;
    rows.iter().map(decode).collect()
}
