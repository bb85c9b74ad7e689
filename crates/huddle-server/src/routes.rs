//! The HTTP API, one module per resource.

mod auth;
mod channels;
mod events;
mod health;
mod me;
mod members;
mod projects;
pub mod web;

use axum::Router;

use crate::error::ApiError;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    let api = Router::new()
        .merge(me::router())
        .merge(projects::router())
        .merge(members::router())
        .merge(events::router())
        .merge(channels::router())
        .fallback(|| async { ApiError::not_found("API route") });
    Router::new()
        .nest("/auth", auth::router())
        .nest("/api", api)
        .merge(health::router())
}
