//! `GET /api/projects/{name}/events?after_seq=&limit=`: the event log, also the polling
//! fallback for clients without a socket.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::Router;
use huddle_core::Permission;
use serde::{Deserialize, Serialize};

use crate::access::open_project;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::realtime::{visible_to, EventView};
use crate::state::AppState;

const MAX_PAGE: i64 = 1000;

pub fn router() -> Router<AppState> {
    Router::new().route("/projects/{name}/events", get(page))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    #[serde(default)]
    after_seq: i64,
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    100
}

#[derive(Serialize)]
struct EventPage {
    events: Vec<EventView>,
    last_seq: i64,
    has_more: bool,
}

async fn page(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(name): Path<String>,
    Query(query): Query<PageQuery>,
) -> Result<Json<EventPage>, ApiError> {
    if !(1..=MAX_PAGE).contains(&query.limit) || query.after_seq < 0 {
        return Err(ApiError::bad_request(
            "invalid_query",
            format!("limit must be 1 to {MAX_PAGE} and after_seq must not be negative"),
        ));
    }
    let access = open_project(state.store.as_ref(), &caller, &name, Permission::Read).await?;
    let events = state
        .store
        .events_after(&access.project, query.after_seq, query.limit)
        .await?;
    let last_seq = state.store.last_seq(&access.project.id).await?;
    let has_more = events.last().is_some_and(|e| e.seq < last_seq);
    let events = events
        .iter()
        .filter(|e| visible_to(&e.kind, &e.payload, &caller.username))
        .map(EventView::from)
        .collect();
    Ok(Json(EventPage {
        events,
        last_seq,
        has_more,
    }))
}
