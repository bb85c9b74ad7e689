//! `POST /auth/login`, `/auth/refresh`, `/auth/logout`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use serde::Deserialize;

use crate::auth::{verify_password, TokenPair};
use crate::error::ApiError;
use crate::extract::Json;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", post(login))
        .route("/refresh", post(refresh))
        .route("/logout", post(logout))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    username: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Refresh {
    refresh_token: String,
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "wrong username or password",
    )
    .with_hint("Check both and try again; a server administrator can reset a forgotten password.")
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(body): Json<Login>,
) -> Result<Json<TokenPair>, ApiError> {
    let username = body.username.trim().to_lowercase();
    let attempt = state.throttle.begin(peer.ip(), &username).map_err(|wait| {
        ApiError::too_many(
            "too_many_attempts",
            format!("too many login attempts; try again in {wait} s"),
            wait,
        )
    })?;
    let credentials = if username.len() <= huddle_core::Username::MAX_LEN {
        state.store.user_credentials(&username).await?
    } else {
        None
    };
    let (user, hash) = match credentials {
        Some(c) => (Some(c.user), Some(c.password_hash)),
        None => (None, None),
    };
    let verified = verify_password(body.password, hash).await;
    match user {
        Some(user) if verified => {
            attempt.succeeded();
            tracing::info!(user = %user.username, "login");
            Ok(Json(
                state.sessions.start(state.store.as_ref(), user).await?,
            ))
        }
        _ => {
            attempt.failed();
            tracing::info!(user = %username, peer = %peer.ip(), "login failed");
            Err(invalid_credentials())
        }
    }
}

async fn refresh(
    State(state): State<AppState>,
    Json(body): Json<Refresh>,
) -> Result<Json<TokenPair>, ApiError> {
    Ok(Json(
        state
            .sessions
            .refresh(state.store.as_ref(), &body.refresh_token)
            .await?,
    ))
}

async fn logout(
    State(state): State<AppState>,
    Json(body): Json<Refresh>,
) -> Result<StatusCode, ApiError> {
    state
        .sessions
        .end(state.store.as_ref(), &body.refresh_token)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
