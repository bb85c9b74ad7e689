//! The HTTP API, one module per resource.

mod agents;
mod attachments;
mod auth;
mod channels;
mod events;
mod health;
mod me;
mod members;
mod projects;
mod users;
pub mod web;

use axum::Router;

use crate::error::ApiError;
use crate::state::AppState;

pub fn router(config: &crate::config::Config) -> Router<AppState> {
    let limits = &config.attachments;
    let upload_bytes = limits.max_file_bytes * limits.max_per_message + 1024 * 1024;
    let api = Router::new()
        .merge(me::router())
        .merge(users::router())
        .merge(agents::router())
        .merge(projects::router())
        .merge(members::router())
        .merge(events::router())
        .merge(channels::router())
        .merge(attachments::router(upload_bytes))
        .fallback(|| async { ApiError::not_found("API route") });
    Router::new()
        .nest("/auth", auth::router())
        .nest("/api", api)
        .merge(health::router())
}
