//! Channels and message history over REST:
//! `GET/POST /api/projects/{name}/channels`, `PATCH …/channels/{channel}`,
//! `GET …/channels/{channel}/messages?before=&limit=&thread_id=`, and the seeds' form
//! `GET /api/messages/{channel}?project=&page=&per_page=`, and
//! `GET /api/projects/{name}/search?q=&channel=&author=&from=&to=&limit=`, and
//! `POST /api/projects/{name}/direct-messages {agent | user}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::Router;
use huddle_core::Permission;
use huddle_store::{Channel, Message};
use serde::{Deserialize, Serialize};

use crate::access::open_project;
use crate::auth::AuthUser;
use crate::chat::direct::{self, OpenDirect};
use crate::chat::search::{self, SearchRequest, SearchResults};
use crate::chat::service::{self, ChannelUpdate, HistoryQuery, NewChannel};
use crate::error::ApiError;
use crate::extract::{Json, Query};
use crate::state::AppState;

/// The seeds' page numbers walk keyset pages; deeper pages should use `before`.
const MAX_PAGE: u32 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/projects/{name}/channels", get(list).post(create))
        .route("/projects/{name}/channels/{channel}", patch(update))
        .route(
            "/projects/{name}/channels/{channel}/messages",
            get(messages),
        )
        .route("/projects/{name}/direct-messages", post(open_direct))
        .route("/messages/{channel}", get(seed_messages))
        .route("/projects/{name}/search", get(search))
}

#[derive(Serialize)]
struct ChannelList {
    channels: Vec<Channel>,
}

#[derive(Serialize)]
struct MessagePage {
    messages: Vec<Message>,
    has_more: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageQuery {
    before: Option<String>,
    limit: Option<i64>,
    thread_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedQuery {
    project: String,
    page: Option<u32>,
    per_page: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(name): Path<String>,
) -> Result<Json<ChannelList>, ApiError> {
    let access = open_project(state.store.as_ref(), &caller, &name, Permission::Read).await?;
    Ok(Json(ChannelList {
        channels: service::channels(&state, &caller, &access).await?,
    }))
}

async fn create(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(name): Path<String>,
    Json(body): Json<NewChannel>,
) -> Result<(StatusCode, Json<Channel>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(service::create_channel(&state, &caller, &name, body).await?),
    ))
}

async fn open_direct(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(name): Path<String>,
    Json(body): Json<OpenDirect>,
) -> Result<Json<Channel>, ApiError> {
    Ok(Json(direct::open(&state, &caller, &name, body).await?))
}

async fn update(
    State(state): State<AppState>,
    caller: AuthUser,
    Path((name, channel)): Path<(String, String)>,
    Json(body): Json<ChannelUpdate>,
) -> Result<Json<Channel>, ApiError> {
    Ok(Json(
        service::update_channel(&state, &caller, &name, &channel, body).await?,
    ))
}

async fn messages(
    State(state): State<AppState>,
    caller: AuthUser,
    Path((name, channel)): Path<(String, String)>,
    Query(query): Query<PageQuery>,
) -> Result<Json<MessagePage>, ApiError> {
    let query = HistoryQuery {
        channel,
        limit: query.limit,
        before: query.before,
        thread_id: query.thread_id,
    };
    let page = service::history(&state, &caller, &name, &query).await?;
    Ok(Json(MessagePage {
        messages: page.messages,
        has_more: page.has_more,
    }))
}

async fn seed_messages(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(channel): Path<String>,
    Query(query): Query<SeedQuery>,
) -> Result<Json<MessagePage>, ApiError> {
    let page = query.page.unwrap_or(1);
    if !(1..=MAX_PAGE).contains(&page) {
        return Err(ApiError::bad_request("invalid_query", format!("page must be 1 to {MAX_PAGE}"))
            .with_hint("For older history use GET /api/projects/{name}/channels/{channel}/messages?before=<message_id>."));
    }
    let mut history = HistoryQuery {
        channel,
        limit: query.per_page,
        before: None,
        thread_id: None,
    };
    let mut current = service::history(&state, &caller, &query.project, &history).await?;
    for _ in 1..page {
        let last = match current.messages.last() {
            Some(last) if current.has_more => last,
            _ => {
                return Ok(Json(MessagePage {
                    messages: Vec::new(),
                    has_more: false,
                }))
            }
        };
        history.before = Some(last.message_id.clone());
        current = service::history(&state, &caller, &query.project, &history).await?;
    }
    Ok(Json(MessagePage {
        messages: current.messages,
        has_more: current.has_more,
    }))
}

async fn search(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(name): Path<String>,
    Query(query): Query<SearchRequest>,
) -> Result<Json<SearchResults>, ApiError> {
    Ok(Json(search::search(&state, &caller, &name, query).await?))
}
