//! The `/portal` namespace: joining and leaving projects, presence, event subscriptions.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use huddle_core::Permission;
use parking_lot::Mutex;
use serde::Deserialize;
use serde_json::{json, Value};
use socketioxide::extract::{AckSender, Extension, SocketRef, State, TryData};

use super::feed::{room, send, Replay};
use super::limits::admitted;
use crate::access::open_project;
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

/// Projects this socket joined: id → name.
#[derive(Clone, Default)]
struct Joined(Arc<Mutex<HashMap<String, String>>>);

/// Event kinds the socket asked for with `subscribe_to_events`; all when unset.
#[derive(Clone, Default)]
struct Subscriptions(Arc<Mutex<Option<HashSet<String>>>>);

#[derive(Deserialize)]
struct JoinRequest {
    project_name: String,
    since_seq: Option<i64>,
}

#[derive(Deserialize)]
struct LeaveRequest {
    project_name: String,
}

#[derive(Deserialize)]
struct SubscribeRequest {
    events: Vec<String>,
}

/// Called from the connect middleware, before the client can send anything.
pub fn register(socket: &SocketRef) {
    socket.extensions.insert(Joined::default());
    socket.extensions.insert(Subscriptions::default());
    socket.on("join_project", join);
    socket.on("leave_project", leave);
    socket.on("subscribe_to_events", subscribe);
    socket.on_fallback(super::connect::unknown_event);
    socket.on_disconnect(disconnect);
}

pub async fn on_connect(socket: SocketRef) {
    tracing::debug!(sid = %socket.id, transport = ?socket.transport_type(), "portal connected");
}

/// Whether the socket wants events of `kind`.
pub fn wants(socket: &SocketRef, kind: &str) -> bool {
    socket
        .extensions
        .get::<Subscriptions>()
        .is_none_or(|s| s.0.lock().as_ref().is_none_or(|set| set.contains(kind)))
}

fn reject(socket: &SocketRef, ack: AckSender, event: &str, error: ApiError) {
    let ErrorBody {
        code,
        message,
        hint,
    } = error.body;
    let body = json!({ "code": code, "message": message, "hint": hint, "event": event });
    send(socket, "error", &body);
    let _ = ack.send(&json!({ "ok": false, "error": body }));
}

fn invalid(what: &str) -> ApiError {
    ApiError::bad_request(
        "invalid_payload",
        format!("{what} needs a JSON object with a project_name"),
    )
}

async fn join(
    socket: SocketRef,
    TryData(request): TryData<JoinRequest>,
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    ack: AckSender,
) {
    let mut ack = Some(ack);
    if !admitted(&socket, &state, &mut ack, "join_project").await {
        return;
    }
    let Some(ack) = ack else { return };
    let Ok(request) = request else {
        return reject(&socket, ack, "join_project", invalid("join_project"));
    };
    let access = match open_project(
        state.store.as_ref(),
        &user,
        &request.project_name,
        Permission::Read,
    )
    .await
    {
        Ok(access) => access,
        Err(e) => return reject(&socket, ack, "join_project", e),
    };
    let project = access.project;
    let joined = socket.extensions.get::<Joined>().unwrap_or_default();
    let first_join = joined
        .0
        .lock()
        .insert(project.id.clone(), project.name.clone())
        .is_none();
    let presence = &state.realtime.presence;
    let change = if first_join {
        Some(presence.enter(&project.id, &user.id))
    } else {
        None
    };
    let active_users = presence.active_users(&project.id);
    let joined_payload = |last_seq: i64| {
        json!({
            "project_name": project.name,
            "current_state": project.state,
            "active_users": active_users,
            "last_activity": huddle_store::format_time(project.updated_at),
            "last_seq": last_seq,
            "role": access.role,
        })
    };
    let replay = state
        .realtime
        .feeds
        .join(
            state.store.as_ref(),
            &socket,
            &project,
            request.since_seq,
            state.config.realtime.replay_window(),
            "joined_project",
            joined_payload,
        )
        .await;
    let last_seq = match replay {
        Ok(Replay::Done { last_seq }) => last_seq,
        Ok(Replay::ResyncRequired { last_seq }) => {
            send(
                &socket,
                "resync_required",
                &json!({ "project_name": project.name, "last_seq": last_seq }),
            );
            last_seq
        }
        Err(e) => return reject(&socket, ack, "join_project", e.into()),
    };
    if change.is_some_and(|c| c.user_changed) {
        announce(
            &socket,
            &project.id,
            "user_joined",
            &user,
            &project.name,
            active_users,
        )
        .await;
    }
    let mut reply = joined_payload(last_seq);
    reply["ok"] = Value::Bool(true);
    let _ = ack.send(&reply);
}

async fn leave(
    socket: SocketRef,
    TryData(request): TryData<LeaveRequest>,
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    ack: AckSender,
) {
    let mut ack = Some(ack);
    if !admitted(&socket, &state, &mut ack, "leave_project").await {
        return;
    }
    let Some(ack) = ack else { return };
    let Ok(request) = request else {
        return reject(&socket, ack, "leave_project", invalid("leave_project"));
    };
    let joined = socket.extensions.get::<Joined>().unwrap_or_default();
    let id = joined
        .0
        .lock()
        .iter()
        .find(|(_, name)| **name == request.project_name)
        .map(|(id, _)| id.clone());
    if let Some(id) = id {
        joined.0.lock().remove(&id);
        depart(&socket, &state, &user, &id, &request.project_name).await;
    }
    let _ = ack.send(&json!({ "ok": true, "project_name": request.project_name }));
}

async fn subscribe(
    socket: SocketRef,
    TryData(request): TryData<SubscribeRequest>,
    State(state): State<AppState>,
    ack: AckSender,
) {
    let mut ack = Some(ack);
    if !admitted(&socket, &state, &mut ack, "subscribe_to_events").await {
        return;
    }
    let Some(ack) = ack else { return };
    let Ok(request) = request else {
        let err = ApiError::bad_request(
            "invalid_payload",
            "subscribe_to_events needs {events: [..]}",
        );
        return reject(&socket, ack, "subscribe_to_events", err);
    };
    let subscriptions = socket.extensions.get::<Subscriptions>().unwrap_or_default();
    let events: HashSet<String> = request.events.into_iter().collect();
    let mut listed: Vec<&String> = events.iter().collect();
    listed.sort();
    let reply = json!({ "ok": true, "events": listed });
    // In force before the ack, so a join sent after it replays only these kinds.
    *subscriptions.0.lock() = Some(events);
    let _ = ack.send(&reply);
}

async fn disconnect(
    socket: SocketRef,
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
) {
    state
        .realtime
        .portal_connections
        .remove(&user.id, socket.id);
    state.realtime.open_sockets.remove(socket.ns(), socket.id);
    let joined = socket.extensions.get::<Joined>().unwrap_or_default();
    let projects: Vec<(String, String)> = joined.0.lock().drain().collect();
    for (id, name) in projects {
        depart(&socket, &state, &user, &id, &name).await;
    }
}

async fn depart(
    socket: &SocketRef,
    state: &AppState,
    user: &AuthUser,
    project_id: &str,
    name: &str,
) {
    socket.leave(room(project_id));
    let change = state.realtime.presence.leave(project_id, &user.id);
    if change.user_changed {
        announce(
            socket,
            project_id,
            "user_left",
            user,
            name,
            change.active_users,
        )
        .await;
    }
}

/// Tells the others in the project that `user` arrived or left. Presence is not logged, so it
/// carries no `seq`.
async fn announce(
    socket: &SocketRef,
    project_id: &str,
    event: &str,
    user: &AuthUser,
    project_name: &str,
    active_users: usize,
) {
    let body = json!({
        "user_id": user.id,
        "username": user.username,
        "project_name": project_name,
        "timestamp": huddle_store::format_time(huddle_store::now()),
        "active_users": active_users,
    });
    if let Err(e) = socket.to(room(project_id)).emit(event, &body).await {
        tracing::debug!(error = %e, event, "presence broadcast failed");
    }
}
