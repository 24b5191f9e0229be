//! Request handlers: decode, call the use case, encode. No rules live here.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use mediaflow_shared::auth::Role;
use mediaflow_shared::http::{Authenticated, RequestId};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::json::JsonBody;
use crate::domain::{Password, TokenPair};
use crate::error::AuthError;
use crate::service::{Registration, UserProfile, UserRoles};

/// `201` body of `/register`.
#[derive(Debug, Serialize)]
pub(crate) struct Registered {
    /// The new account's id.
    user_id: String,
}

/// Body of `/login`.
#[derive(Debug, Deserialize)]
pub(crate) struct LoginRequest {
    /// Email as typed.
    email: String,
    /// Password as typed.
    password: Password,
}

/// Body of `/refresh` and `/logout`.
#[derive(Debug, Deserialize)]
pub(crate) struct RefreshRequest {
    /// The refresh token of the session.
    refresh_token: String,
}

/// Body of `/admin/users/{id}/roles`.
#[derive(Debug, Deserialize)]
pub(crate) struct SetRolesRequest {
    /// The roles the user should hold from now on.
    roles: Vec<Role>,
}

/// `POST /register` → `201 {user_id}`.
pub(crate) async fn register(
    State(state): State<AppState>,
    Extension(request_id): Extension<RequestId>,
    JsonBody(registration): JsonBody<Registration>,
) -> Result<(StatusCode, Json<Registered>), AuthError> {
    let user_id = state
        .service
        .register(registration, request_id.as_str())
        .await?;
    Ok((StatusCode::CREATED, Json(Registered { user_id })))
}

/// `POST /login` → a token pair.
pub(crate) async fn login(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<LoginRequest>,
) -> Result<Json<TokenPair>, AuthError> {
    Ok(Json(
        state
            .service
            .login(&request.email, request.password)
            .await?,
    ))
}

/// `POST /refresh` → the next token pair of the session.
pub(crate) async fn refresh(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<RefreshRequest>,
) -> Result<Json<TokenPair>, AuthError> {
    let pair = state.service.refresh(&request.refresh_token).await?;
    Ok(Json(pair))
}

/// `POST /logout` → `204`, the session revoked.
pub(crate) async fn logout(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<RefreshRequest>,
) -> Result<StatusCode, AuthError> {
    state.service.logout(&request.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /me` (bearer) → the caller's profile.
pub(crate) async fn me(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
) -> Result<Json<UserProfile>, AuthError> {
    Ok(Json(state.service.me(&claims).await?))
}

/// `POST /admin/users/{id}/roles` (bearer, admin) → the user's new roles.
pub(crate) async fn set_roles(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    Extension(request_id): Extension<RequestId>,
    Path(user_id): Path<String>,
    JsonBody(request): JsonBody<SetRolesRequest>,
) -> Result<Json<UserRoles>, AuthError> {
    let roles = state
        .service
        .set_roles(&claims, &user_id, request.roles, request_id.as_str())
        .await?;
    Ok(Json(roles))
}
