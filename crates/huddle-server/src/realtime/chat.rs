//! The `/chat/{project}` namespace: one per project, members only. Requests go through the
//! session check and the user's rate limit, then to `chat::service`; what they change reaches
//! every socket of the project through the event feed.

use huddle_core::Permission;
use serde::Deserialize;
use serde_json::{json, Value};
use socketioxide::extract::{Extension, SocketRef, State, TryData};
use socketioxide::socket::Sid;
use socketioxide::SocketIo;

pub(crate) mod presence;
mod requests;

use super::connect::user_of;
use super::feed::{room, send, Replay};
use super::limits::{close_over_cap, ChatBudgets, RateLimits};
use super::typing::Typing;
use crate::access::open_project;
use crate::auth::AuthUser;
use crate::chat::service;
use crate::error::ApiError;
use crate::state::AppState;

/// The project a chat socket belongs to.
#[derive(Clone)]
pub struct ChatSession {
    project: String,
    project_id: String,
}

#[derive(Debug)]
pub enum Refused {
    Authentication,
    Forbidden,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refused::Authentication => "Authentication failed",
            Refused::Forbidden => "Forbidden",
        })
    }
}

/// Connect middleware: a valid token and membership of the project, then the handlers.
pub async fn admit(
    socket: SocketRef,
    TryData(auth): TryData<Value>,
    State(state): State<AppState>,
) -> Result<(), Refused> {
    let user = user_of(&socket, auth.ok().as_ref(), &state)
        .await
        .ok_or(Refused::Authentication)?;
    let name = socket
        .ns()
        .strip_prefix("/chat/")
        .unwrap_or_default()
        .to_owned();
    let access = open_project(state.store.as_ref(), &user, &name, Permission::Read)
        .await
        .map_err(|_| Refused::Forbidden)?;
    let realtime = &state.config.realtime;
    let budgets = state.realtime.budgets.of(&user.id, &access.project.id, || {
        ChatBudgets::new(
            RateLimits {
                per_second: realtime.events_per_second,
                per_minute: realtime.events_per_minute,
            },
            RateLimits {
                per_second: realtime.reads_per_second,
                per_minute: realtime.reads_per_minute,
            },
        )
    });
    state
        .realtime
        .open_sockets
        .add(socket.ns(), socket.id, &user);
    socket.extensions.insert(user);
    socket.extensions.insert(ChatSession {
        project: access.project.name,
        project_id: access.project.id,
    });
    socket.extensions.insert(budgets);
    socket.extensions.insert(Typing::default());
    register(&socket);
    Ok(())
}

fn register(socket: &SocketRef) {
    requests::register(socket);
    socket.on_disconnect(on_disconnect);
}

#[derive(Deserialize, Default)]
pub struct Resume {
    since_seq: Option<i64>,
}

pub async fn on_connect(
    socket: SocketRef,
    io: SocketIo,
    TryData(resume): TryData<Resume>,
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Extension(session): Extension<ChatSession>,
) {
    let limit = state.config.realtime.connections_per_user;
    for (ns, sid) in state
        .realtime
        .chat_connections
        .add(&user.id, socket.ns(), socket.id, limit)
    {
        close_over_cap(&io, &ns, sid);
    }
    let ready = match ready_parts(&state, &user, &session).await {
        Ok(ready) => ready,
        Err(e) => {
            tracing::warn!(error = ?e.body, "chat connect failed");
            let _ = socket.disconnect();
            return;
        }
    };
    let before = presence::snapshot(&io, socket.ns(), Some(socket.id))
        .get(&user.username)
        .copied();
    socket.extensions.insert(presence::IdleFlag::default());
    let users = presence::snapshot(&io, socket.ns(), None);
    let listed = presence::payload(&session.project, &users);
    let since = resume.ok().unwrap_or_default().since_seq;
    let project = ready.0;
    let attachments = &state.config.attachments;
    let limits = json!({
        "max_message_chars": service::MAX_CONTENT_CHARS,
        "max_file_bytes": attachments.max_file_bytes,
        "max_attachments": attachments.max_per_message,
    });
    let make_ready = |last_seq: i64| {
        json!({
            "project_name": project.name,
            "role": ready.1,
            "last_seq": last_seq,
            "channels": ready.2,
            "me": { "user_id": user.id, "username": user.username,
                    "kind": if user.is_agent { "agent" } else { "human" } },
            "online": listed["online"],
            "idle": listed["idle"],
            "limits": limits,
        })
    };
    let replay_limit = state.config.realtime.replay_window();
    let joined = state
        .realtime
        .feeds
        .join(
            state.store.as_ref(),
            &socket,
            &project,
            since,
            replay_limit,
            "chat_ready",
            make_ready,
        )
        .await;
    match joined {
        Ok(Replay::ResyncRequired { last_seq }) => {
            send(
                &socket,
                "resync_required",
                &json!({ "project_name": project.name, "last_seq": last_seq }),
            );
        }
        Ok(Replay::Done { .. }) => {}
        Err(e) => tracing::error!(error = %e, "chat replay failed"),
    }
    if before != users.get(&user.username).copied() {
        broadcast_presence(&socket, &io, &session, None).await;
    }
}

async fn ready_parts(
    state: &AppState,
    user: &AuthUser,
    session: &ChatSession,
) -> Result<
    (
        huddle_store::Project,
        Option<huddle_core::Role>,
        Vec<huddle_store::Channel>,
    ),
    ApiError,
> {
    let access = open_project(
        state.store.as_ref(),
        user,
        &session.project,
        Permission::Read,
    )
    .await?;
    let channels = service::channels(state, user, &access).await?;
    Ok((access.project, access.role, channels))
}

pub(super) async fn broadcast_presence(
    socket: &SocketRef,
    io: &SocketIo,
    session: &ChatSession,
    without: Option<Sid>,
) {
    let users = presence::snapshot(io, socket.ns(), without);
    let body = presence::payload(&session.project, &users);
    let Some(ns) = io.of(socket.ns()) else { return };
    if let Err(e) = ns
        .to(room(&session.project_id))
        .emit("presence", &body)
        .await
    {
        tracing::debug!(error = %e, "presence broadcast failed");
    }
}

async fn on_disconnect(
    socket: SocketRef,
    io: SocketIo,
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Extension(session): Extension<ChatSession>,
) {
    state.realtime.chat_connections.remove(&user.id, socket.id);
    state.realtime.open_sockets.remove(socket.ns(), socket.id);
    if let Some(typing) = socket.extensions.get::<Typing>() {
        for channel in typing.drain() {
            requests::announce_typing(&socket, &user, &session, &channel, "typing_stop").await;
        }
    }
    let after = presence::snapshot(&io, socket.ns(), Some(socket.id));
    let now = after.get(&user.username).copied();
    if now != Some(presence::with_extra(now, presence::own_status(&socket))) {
        broadcast_presence(&socket, &io, &session, Some(socket.id)).await;
    }
}
