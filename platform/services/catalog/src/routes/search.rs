//! `GET /search?q=&genre=&limit=`: published videos whose title, description or
//! tags contain `q` (escaped, bound as a parameter, at most 100 characters).

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::body::{SearchBody, VideoBody};
use super::extract::QueryParams;
use crate::domain::{RawSearchQuery, SearchQuery};
use crate::error::CatalogError;

/// Runs a search → `{"items": [...]}`, title matches first.
pub(crate) async fn search(
    State(state): State<AppState>,
    QueryParams(raw): QueryParams<RawSearchQuery>,
) -> Result<Response, CatalogError> {
    let query = SearchQuery::parse(&raw)?;
    let entries = state.service.search(&query).await?;
    let body = SearchBody {
        items: entries.iter().map(VideoBody::from).collect(),
    };
    Ok(Json(body).into_response())
}
