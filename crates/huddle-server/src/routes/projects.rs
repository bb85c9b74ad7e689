//! `GET/POST /api/projects`, `GET /api/projects/{name}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use huddle_core::{Permission, Role};
use huddle_store::Project;
use serde::{Deserialize, Serialize};

use crate::access::open_project;
use crate::auth::AuthUser;
use crate::changes;
use crate::error::ApiError;
use crate::extract::Json;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects", get(list).post(create))
        .route("/projects/{name}", get(show))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateProject {
    name: String,
    #[serde(default)]
    description: String,
}

#[derive(Serialize)]
struct ProjectView {
    id: String,
    name: String,
    description: String,
    state: String,
    last_seq: i64,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
    role: Option<Role>,
}

impl ProjectView {
    fn new(p: Project, role: Option<Role>) -> ProjectView {
        ProjectView {
            id: p.id,
            name: p.name,
            description: p.description,
            state: p.state,
            last_seq: p.last_seq,
            created_at: p.created_at,
            updated_at: p.updated_at,
            role,
        }
    }
}

#[derive(Serialize)]
struct ProjectList {
    projects: Vec<ProjectView>,
    total: usize,
}

/// Members see their projects; admins see every project (with their role where they have one).
async fn list(
    State(state): State<AppState>,
    caller: AuthUser,
) -> Result<Json<ProjectList>, ApiError> {
    let mut found = state.store.list_projects(Some(&caller.id)).await?;
    if caller.is_admin {
        let all = state.store.list_projects(None).await?;
        let mine: std::collections::HashMap<_, _> = found
            .drain(..)
            .map(|s| (s.project.id.clone(), s.role))
            .collect();
        found = all
            .into_iter()
            .map(|mut s| {
                s.role = mine.get(&s.project.id).copied().flatten();
                s
            })
            .collect();
    }
    let projects: Vec<_> = found
        .into_iter()
        .map(|s| ProjectView::new(s.project, s.role))
        .collect();
    Ok(Json(ProjectList {
        total: projects.len(),
        projects,
    }))
}

async fn create(
    State(state): State<AppState>,
    caller: AuthUser,
    Json(body): Json<CreateProject>,
) -> Result<(StatusCode, Json<ProjectView>), ApiError> {
    let project = changes::create_project(&state, &caller, &body.name, &body.description).await?;
    Ok((
        StatusCode::CREATED,
        Json(ProjectView::new(project, Some(Role::Admin))),
    ))
}

async fn show(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(name): Path<String>,
) -> Result<Json<ProjectView>, ApiError> {
    let access = open_project(state.store.as_ref(), &caller, &name, Permission::Read).await?;
    Ok(Json(ProjectView::new(access.project, access.role)))
}
