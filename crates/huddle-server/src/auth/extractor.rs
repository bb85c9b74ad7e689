//! `AuthUser`: the caller, proven by an `Authorization: Bearer <access token>` header.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: String,
    pub username: String,
    pub is_admin: bool,
    pub is_agent: bool,
    /// The session the caller's access token belongs to.
    pub session_id: String,
    /// When the access token expires (Unix seconds): long-lived sockets close then.
    pub expires_at: u64,
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("missing Authorization header"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .ok_or_else(|| ApiError::unauthorized("Authorization must be 'Bearer <token>'"))?;
        state
            .sessions
            .caller(state.store.as_ref(), token.trim())
            .await
    }
}

/// The caller of a download route: a bearer header, or `?token=` for links that a browser
/// follows without headers (images, "save as").
#[derive(Debug, Clone)]
pub struct DownloadUser(pub AuthUser);

impl FromRequestParts<AppState> for DownloadUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if parts.headers.contains_key(AUTHORIZATION) {
            return AuthUser::from_request_parts(parts, state)
                .await
                .map(DownloadUser);
        }
        let token = parts
            .uri
            .query()
            .and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("token=")))
            .ok_or_else(|| {
                ApiError::unauthorized("missing Authorization header or token parameter")
            })?;
        state
            .sessions
            .caller(state.store.as_ref(), token)
            .await
            .map(DownloadUser)
    }
}
