//! The `/chat/{project}` namespace: one per project, members only. Requests go through the
//! per-socket rate limit and then to `chat::service`; what they change reaches every socket of
//! the project through the event feed.

use std::time::{Duration, Instant};

use huddle_core::Permission;
use serde::Deserialize;
use serde_json::{json, Value};
use socketioxide::extract::{AckSender, Extension, SocketRef, State, TryData};
use socketioxide::socket::Sid;
use socketioxide::SocketIo;

use super::connect::user_of;
use super::feed::{room, send, Replay};
use super::limits::{RateLimiter, RateLimits};
use super::typing::Typing;
use crate::access::open_project;
use crate::auth::AuthUser;
use crate::chat::service::{self, ChannelUpdate, HistoryQuery, NewChannel, SendMessage};
use crate::error::{ApiError, ErrorBody};
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
    let user = user_of(&socket, auth.ok().as_ref(), &state).ok_or(Refused::Authentication)?;
    let name = socket
        .ns()
        .strip_prefix("/chat/")
        .unwrap_or_default()
        .to_owned();
    let access = open_project(state.store.as_ref(), &user, &name, Permission::Read)
        .await
        .map_err(|_| Refused::Forbidden)?;
    let limits = RateLimits {
        per_second: state.config.realtime.events_per_second,
        per_minute: state.config.realtime.events_per_minute,
    };
    socket.extensions.insert(user);
    socket.extensions.insert(ChatSession {
        project: access.project.name,
        project_id: access.project.id,
    });
    socket.extensions.insert(RateLimiter::new(limits));
    socket.extensions.insert(Typing::default());
    register(&socket);
    Ok(())
}

fn register(socket: &SocketRef) {
    socket.on("send_message", send_message);
    socket.on("edit_message", edit_message);
    socket.on("delete_message", delete_message);
    socket.on("add_reaction", add_reaction);
    socket.on("remove_reaction", remove_reaction);
    socket.on("pin_message", pin_message);
    socket.on("unpin_message", unpin_message);
    socket.on("request_message_history", request_message_history);
    socket.on("mark_read", mark_read);
    socket.on("typing_start", typing_start);
    socket.on("typing_stop", typing_stop);
    socket.on("create_channel", create_channel);
    socket.on("update_channel", update_channel);
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
        close_socket(&io, &ns, sid);
    }
    let ready = match ready_parts(&state, &user, &session).await {
        Ok(ready) => ready,
        Err(e) => {
            tracing::warn!(error = ?e.body, "chat connect failed");
            let _ = socket.disconnect();
            return;
        }
    };
    let presence = state
        .realtime
        .chat_presence
        .enter(&session.project_id, &user.username);
    let online = state.realtime.chat_presence.users(&session.project_id);
    let since = resume.ok().unwrap_or_default().since_seq;
    let project = ready.0;
    let make_ready = |last_seq: i64| {
        json!({
            "project_name": project.name,
            "role": ready.1,
            "last_seq": last_seq,
            "channels": ready.2,
            "me": { "user_id": user.id, "username": user.username },
            "online": online,
        })
    };
    let replay_limit = state.config.realtime.replay_limit;
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
    if presence.user_changed {
        broadcast_presence(&socket, &state, &session).await;
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

/// Disconnects a user's oldest chat socket when they opened one too many.
fn close_socket(io: &SocketIo, ns: &str, sid: Sid) {
    if let Some(old) = io.of(ns).and_then(|ops| ops.get_socket(sid)) {
        tracing::info!(%sid, "closing the oldest chat connection of a user over the limit");
        let _ = old.disconnect();
    }
}

async fn broadcast_presence(socket: &SocketRef, state: &AppState, session: &ChatSession) {
    let online = state.realtime.chat_presence.users(&session.project_id);
    let body = json!({ "project_name": session.project, "online": online });
    if let Err(e) = socket
        .within(room(&session.project_id))
        .emit("presence", &body)
        .await
    {
        tracing::debug!(error = %e, "presence broadcast failed");
    }
}

async fn on_disconnect(
    socket: SocketRef,
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Extension(session): Extension<ChatSession>,
) {
    state.realtime.chat_connections.remove(&user.id, socket.id);
    if let Some(typing) = socket.extensions.get::<Typing>() {
        for channel in typing.drain() {
            announce_typing(&socket, &user, &session, &channel, "typing_stop").await;
        }
    }
    if state
        .realtime
        .chat_presence
        .leave(&session.project_id, &user.username)
        .user_changed
    {
        broadcast_presence(&socket, &state, &session).await;
    }
}

/// Sends the outcome of a request: `{ok: true, ...}` in the ack, or the error in the ack and as
/// an `error` event.
fn respond(socket: &SocketRef, ack: AckSender, event: &str, result: Result<Value, ApiError>) {
    match result {
        Ok(mut body) => {
            if let Value::Object(map) = &mut body {
                map.insert("ok".into(), Value::Bool(true));
            }
            let _ = ack.send(&body);
        }
        Err(error) => {
            let ErrorBody {
                code,
                message,
                hint,
            } = error.body;
            let body = json!({ "code": code, "message": message, "hint": hint, "event": event });
            send(socket, "error", &body);
            let _ = ack.send(&json!({ "ok": false, "error": body }));
        }
    }
}

/// Counts the event against the socket's limits; over them, answers `rate_limited`.
fn admitted(socket: &SocketRef, ack: &mut Option<AckSender>, event: &str) -> bool {
    let Some(limiter) = socket.extensions.get::<RateLimiter>() else {
        return true;
    };
    let Err(wait) = limiter.check(Instant::now()) else {
        return true;
    };
    let retry_after = (wait.max(Duration::from_millis(1)).as_secs_f64() * 1000.0).ceil() / 1000.0;
    send(
        socket,
        "rate_limited",
        &json!({ "event": event, "retry_after": retry_after }),
    );
    if let Some(ack) = ack.take() {
        let error = json!({ "code": "rate_limited", "message": format!("too many events; wait {retry_after} s"),
                            "hint": "Slow down; the limit is per connection.", "retry_after": retry_after });
        let _ = ack.send(&json!({ "ok": false, "error": error }));
    }
    false
}

fn malformed(what: &str) -> ApiError {
    ApiError::bad_request(
        "invalid_payload",
        format!("{what} needs a JSON object; see docs/chat-api.md"),
    )
}

/// Shared shape of every chat request handler: rate limit, parse, run, answer.
macro_rules! handler {
    ($name:ident, $event:literal, $req:ty, |$state:ident, $user:ident, $session:ident, $r:ident, $socket:ident| $body:expr) => {
        async fn $name(
            $socket: SocketRef,
            TryData(request): TryData<$req>,
            State($state): State<AppState>,
            Extension($user): Extension<AuthUser>,
            Extension($session): Extension<ChatSession>,
            ack: AckSender,
        ) {
            let mut ack = Some(ack);
            if !admitted(&$socket, &mut ack, $event) {
                return;
            }
            let Some(ack) = ack else { return };
            let result = match request {
                Ok($r) => $body,
                Err(_) => Err(malformed($event)),
            };
            respond(&$socket, ack, $event, result);
        }
    };
}

#[derive(Deserialize)]
struct MessageRef {
    message_id: String,
}

#[derive(Deserialize)]
struct Edit {
    message_id: String,
    content: String,
}

#[derive(Deserialize)]
struct ReactionRef {
    message_id: String,
    emoji: String,
}

#[derive(Deserialize)]
struct ReadMark {
    channel: String,
    message_id: String,
}

#[derive(Deserialize)]
struct ChannelRef {
    channel: String,
}

#[derive(Deserialize)]
struct ChannelEdit {
    channel: String,
    #[serde(flatten)]
    change: ChannelUpdate,
}

fn message_body(m: Result<huddle_store::Message, ApiError>) -> Result<Value, ApiError> {
    m.map(|message| json!({ "message": message }))
}

handler!(
    send_message,
    "send_message",
    SendMessage,
    |state, user, session, r, socket| {
        let channel = r.channel.clone().unwrap_or_else(|| "general".into());
        if let Some(typing) = socket.extensions.get::<Typing>() {
            if typing.stop(&channel) {
                announce_typing(&socket, &user, &session, &channel, "typing_stop").await;
            }
        }
        message_body(service::send(&state, &user, &session.project, r).await)
    }
);

handler!(
    edit_message,
    "edit_message",
    Edit,
    |state, user, session, r, socket| {
        message_body(
            service::edit(&state, &user, &session.project, &r.message_id, &r.content).await,
        )
    }
);

handler!(
    delete_message,
    "delete_message",
    MessageRef,
    |state, user, session, r, socket| {
        message_body(service::delete(&state, &user, &session.project, &r.message_id).await)
    }
);

handler!(
    add_reaction,
    "add_reaction",
    ReactionRef,
    |state, user, session, r, socket| {
        service::react(
            &state,
            &user,
            &session.project,
            &r.message_id,
            &r.emoji,
            true,
        )
        .await
        .map(|m| json!({ "message_id": m.message_id, "reactions": m.reactions }))
    }
);

handler!(
    remove_reaction,
    "remove_reaction",
    ReactionRef,
    |state, user, session, r, socket| {
        service::react(
            &state,
            &user,
            &session.project,
            &r.message_id,
            &r.emoji,
            false,
        )
        .await
        .map(|m| json!({ "message_id": m.message_id, "reactions": m.reactions }))
    }
);

handler!(
    pin_message,
    "pin_message",
    MessageRef,
    |state, user, session, r, socket| {
        message_body(service::pin(&state, &user, &session.project, &r.message_id, true).await)
    }
);

handler!(
    unpin_message,
    "unpin_message",
    MessageRef,
    |state, user, session, r, socket| {
        message_body(service::pin(&state, &user, &session.project, &r.message_id, false).await)
    }
);

handler!(
    request_message_history,
    "request_message_history",
    HistoryQuery,
    |state, user, session, r, socket| {
        let page = service::history(&state, &user, &session.project, &r).await.map(|page| {
        json!({ "channel": r.channel, "thread_id": r.thread_id, "messages": page.messages, "has_more": page.has_more })
    });
        if let Ok(body) = &page {
            send(&socket, "message_history", body);
        }
        page
    }
);

handler!(
    mark_read,
    "mark_read",
    ReadMark,
    |state, user, session, r, socket| {
        service::mark_read(&state, &user, &session.project, &r.channel, &r.message_id)
        .await
        .map(|u| json!({ "channel": r.channel, "unread_count": u.unread_count, "mention_count": u.mention_count }))
    }
);

handler!(
    create_channel,
    "create_channel",
    NewChannel,
    |state, user, session, r, socket| {
        service::create_channel(&state, &user, &session.project, r)
            .await
            .map(|channel| json!({ "channel": channel }))
    }
);

handler!(
    update_channel,
    "update_channel",
    ChannelEdit,
    |state, user, session, r, socket| {
        service::update_channel(&state, &user, &session.project, &r.channel, r.change)
            .await
            .map(|channel| json!({ "channel": channel }))
    }
);

handler!(
    typing_start,
    "typing_start",
    ChannelRef,
    |state, user, session, r, socket| {
        typing(&state, &socket, &user, &session, &r.channel, true).await
    }
);

handler!(
    typing_stop,
    "typing_stop",
    ChannelRef,
    |state, user, session, r, socket| {
        typing(&state, &socket, &user, &session, &r.channel, false).await
    }
);

async fn typing(
    state: &AppState,
    socket: &SocketRef,
    user: &AuthUser,
    session: &ChatSession,
    channel: &str,
    start: bool,
) -> Result<Value, ApiError> {
    let access = open_project(
        state.store.as_ref(),
        user,
        &session.project,
        Permission::Write,
    )
    .await?;
    service::channel(state, &access, channel).await?;
    let Some(typing) = socket.extensions.get::<Typing>() else {
        return Ok(json!({}));
    };
    if !start {
        if typing.stop(channel) {
            announce_typing(socket, user, session, channel, "typing_stop").await;
        }
        return Ok(json!({}));
    }
    let (generation, fresh) = typing.start(channel);
    if fresh {
        announce_typing(socket, user, session, channel, "typing_start").await;
    }
    let expiry = Duration::from_secs(state.config.realtime.typing_expiry_secs);
    let (socket, user, session, channel) = (
        socket.clone(),
        user.clone(),
        session.clone(),
        channel.to_owned(),
    );
    tokio::spawn(async move {
        tokio::time::sleep(expiry).await;
        if typing.expire(&channel, generation) && socket.connected() {
            announce_typing(&socket, &user, &session, &channel, "typing_stop").await;
        }
    });
    Ok(json!({}))
}

async fn announce_typing(
    socket: &SocketRef,
    user: &AuthUser,
    session: &ChatSession,
    channel: &str,
    event: &str,
) {
    let body = json!({
        "user_id": user.id,
        "username": user.username,
        "channel": channel,
        "project_name": session.project,
        "timestamp": huddle_store::format_time(huddle_store::now()),
    });
    if let Err(e) = socket
        .to(room(&session.project_id))
        .emit(event, &body)
        .await
    {
        tracing::debug!(error = %e, event, "typing broadcast failed");
    }
}
