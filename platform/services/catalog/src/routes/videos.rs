//! `POST /videos`, `GET /videos`, `GET /videos/{id}` and `PATCH /videos/{id}`.

use axum::Json;
use axum::extract::{Extension, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mediaflow_shared::http::{Authenticated, RequestId};
use serde::Deserialize;

use super::AppState;
use super::body::{ListBody, video_response};
use super::extract::{JsonBody, MaybeCaller, QueryParams, if_match, video_id};
use crate::domain::{
    Caller, Description, DurationSecs, Genre, ListQuery, ListScope, Metadata, MetadataPatch,
    RawListQuery, Tags, Title,
};
use crate::error::CatalogError;

/// Body of `POST /videos`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateVideo {
    title: String,
    #[serde(default)]
    description: String,
    genre: String,
    #[serde(default)]
    tags: Vec<String>,
    duration_secs: u64,
}

impl CreateVideo {
    fn into_metadata(self) -> Result<Metadata, CatalogError> {
        Ok(Metadata {
            title: Title::parse(&self.title)?,
            description: Description::parse(&self.description)?,
            genre: self.genre.parse::<Genre>()?,
            tags: Tags::parse(&self.tags)?,
            duration_secs: DurationSecs::new(self.duration_secs)?,
        })
    }
}

/// Body of `PATCH /videos/{id}`: only the fields to change.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateVideo {
    title: Option<String>,
    description: Option<String>,
    genre: Option<String>,
    tags: Option<Vec<String>>,
    duration_secs: Option<u64>,
}

impl UpdateVideo {
    fn into_patch(self) -> Result<MetadataPatch, CatalogError> {
        Ok(MetadataPatch {
            title: self.title.as_deref().map(Title::parse).transpose()?,
            description: self
                .description
                .as_deref()
                .map(Description::parse)
                .transpose()?,
            genre: self.genre.as_deref().map(str::parse::<Genre>).transpose()?,
            tags: self.tags.as_deref().map(Tags::parse).transpose()?,
            duration_secs: self.duration_secs.map(DurationSecs::new).transpose()?,
        })
    }
}

/// `POST /videos` → 201 with the draft, its `ETag` and `Location`.
pub(crate) async fn create(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    Authenticated(claims): Authenticated,
    JsonBody(body): JsonBody<CreateVideo>,
) -> Result<Response, CatalogError> {
    let caller = Caller::from_claims(&claims);
    let metadata = body.into_metadata()?;
    let entry = state
        .service
        .create(&caller, metadata, request_id.as_str())
        .await?;
    Ok(video_response(StatusCode::CREATED, &entry))
}

/// `GET /videos` → one page and the next page's cursor.
pub(crate) async fn list(
    State(state): State<AppState>,
    MaybeCaller(viewer): MaybeCaller,
    QueryParams(raw): QueryParams<RawListQuery>,
) -> Result<Response, CatalogError> {
    let query = ListQuery::parse(&raw, ListScope::of(&viewer))?;
    let page = state.service.list(&query).await?;
    Ok(Json(ListBody::from(&page)).into_response())
}

/// `GET /videos/{id}` → the video with its `ETag`, or 404 when it does not exist
/// or the caller may not see it.
pub(crate) async fn show(
    State(state): State<AppState>,
    MaybeCaller(viewer): MaybeCaller,
    Path(id): Path<String>,
) -> Result<Response, CatalogError> {
    let id = video_id(&id)?;
    let entry = state.service.get(&viewer, &id).await?;
    Ok(video_response(StatusCode::OK, &entry))
}

/// `PATCH /videos/{id}` → the updated video; `If-Match` is required (428
/// without, 412 when it names another version).
pub(crate) async fn update(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    Authenticated(claims): Authenticated,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<UpdateVideo>,
) -> Result<Response, CatalogError> {
    let caller = Caller::from_claims(&claims);
    let id = video_id(&id)?;
    let expected = if_match(&headers)?.ok_or(CatalogError::PreconditionRequired)?;
    let patch = body.into_patch()?;
    let entry = state
        .service
        .update(&caller, &id, expected, &patch, request_id.as_str())
        .await?;
    Ok(video_response(StatusCode::OK, &entry))
}
