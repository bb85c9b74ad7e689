//! `GET/POST /api/projects/{name}/members`, `DELETE /api/projects/{name}/members/{username}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::Router;
use huddle_core::{Permission, Role};
use huddle_store::Member;
use serde::{Deserialize, Serialize};

use crate::access::open_project;
use crate::auth::AuthUser;
use crate::changes;
use crate::error::ApiError;
use crate::extract::Json;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{name}/members", get(list).post(put))
        .route("/projects/{name}/members/{username}", delete(remove))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PutMember {
    username: String,
    role: Role,
}

#[derive(Serialize)]
struct MemberList {
    members: Vec<Member>,
}

async fn list(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(name): Path<String>,
) -> Result<Json<MemberList>, ApiError> {
    let access = open_project(state.store.as_ref(), &caller, &name, Permission::Read).await?;
    Ok(Json(MemberList {
        members: state.store.list_members(&access.project.id).await?,
    }))
}

/// Adds a member or changes their role (the admin rules are in `changes`).
async fn put(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(name): Path<String>,
    Json(body): Json<PutMember>,
) -> Result<(StatusCode, Json<Member>), ApiError> {
    let access = open_project(
        state.store.as_ref(),
        &caller,
        &name,
        Permission::ManageMembers,
    )
    .await?;
    let member = changes::put_member(&state, &caller, &access, &body.username, body.role).await?;
    Ok((StatusCode::CREATED, Json(member)))
}

async fn remove(
    State(state): State<AppState>,
    caller: AuthUser,
    Path((name, username)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let access = open_project(
        state.store.as_ref(),
        &caller,
        &name,
        Permission::ManageMembers,
    )
    .await?;
    changes::remove_member(&state, &caller, &access, &username).await?;
    Ok(StatusCode::NO_CONTENT)
}
