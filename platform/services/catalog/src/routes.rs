//! The catalog's HTTP surface: the router, its shared state, and the handlers.
//!
//! | route | who |
//! |---|---|
//! | `POST /videos` | creators, administrators |
//! | `GET /videos` | everyone (administrators also see unpublished videos) |
//! | `GET /videos/{id}` | everyone for published videos, else owner or administrator |
//! | `PATCH /videos/{id}` | owner or administrator, `If-Match` required |
//! | `POST /videos/{id}/{action}` | owner or administrator; publish, unpublish and processing-complete administrators only |
//! | `GET /search` | everyone (published videos) |

mod body;
mod extract;
mod lifecycle;
mod search;
mod videos;

use std::sync::Arc;

use axum::Router;
use axum::extract::FromRef;
use axum::routing::{get, post};
use mediaflow_shared::auth::JwtVerifier;
use mediaflow_shared::events::outbox::RelayWorker;

pub use self::body::{ListBody, SearchBody, VideoBody};
use crate::consumers::TaskGuard;
use crate::service::CatalogService;

/// Background work owned by the running service: dropped with the router when
/// the server stops, which stops the relay and aborts the consumer.
#[derive(Debug)]
pub struct Workers {
    /// Publishes the outbox.
    pub relay: RelayWorker,
    /// Counts views.
    pub views: TaskGuard,
}

/// What every handler can reach.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The use cases.
    pub service: Arc<CatalogService>,
    /// Verifies bearer tokens.
    pub verifier: Arc<JwtVerifier>,
    /// Kept only for their lifetime.
    pub workers: Arc<Workers>,
}

impl FromRef<AppState> for Arc<JwtVerifier> {
    fn from_ref(state: &AppState) -> Self {
        state.verifier.clone()
    }
}

/// The catalog's routes over `state`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/videos", post(videos::create).get(videos::list))
        .route("/videos/{id}", get(videos::show).patch(videos::update))
        .route("/videos/{id}/{action}", post(lifecycle::transition))
        .route("/search", get(search::search))
        .with_state(state)
}
