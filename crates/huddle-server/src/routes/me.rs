//! `GET /api/me`: the caller, what they may do, and their projects.

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use huddle_core::Role;
use serde::Serialize;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::Json;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/me", get(me))
}

#[derive(Serialize)]
struct MeView {
    user: huddle_store::User,
    permissions: Vec<&'static str>,
    projects: Vec<MembershipView>,
}

#[derive(Serialize)]
struct MembershipView {
    name: String,
    role: Option<Role>,
}

async fn me(State(state): State<AppState>, caller: AuthUser) -> Result<Json<MeView>, ApiError> {
    let user = state
        .store
        .user_by_id(&caller.id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("the account no longer exists"))?;
    let projects = state.store.list_projects(Some(&user.id)).await?;
    let mut permissions = vec!["projects:read"];
    if user.is_admin {
        permissions.extend(["projects:create", "projects:manage_all", "users:manage"]);
    }
    let projects = projects
        .into_iter()
        .map(|p| MembershipView {
            name: p.project.name,
            role: p.role,
        })
        .collect();
    Ok(Json(MeView {
        user,
        permissions,
        projects,
    }))
}
