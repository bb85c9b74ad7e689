//! The requests a chat socket can make: each is rate limited, parsed, handed to
//! `chat::service` and answered through its ack.

use std::time::Duration;

use huddle_core::Permission;
use serde::Deserialize;
use serde_json::{json, Value};
use socketioxide::extract::{AckSender, Extension, SocketRef, State, TryData};

use super::super::feed::{may_receive, room, send};
use super::super::limits::admitted;
use super::super::typing::Typing;
use super::{presence, ChatSession};
use crate::access::open_project;
use crate::auth::AuthUser;
use crate::chat::direct::{self, OpenDirect};
use crate::chat::search::{search, SearchRequest};
use crate::chat::service::{self, ChannelUpdate, HistoryQuery, NewChannel, SendMessage};
use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

pub(super) fn register(socket: &SocketRef) {
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
    socket.on("open_direct_message", open_direct_message);
    socket.on("search_messages", search_messages);
    socket.on("set_presence", set_presence);
    socket.on("preview_markdown", preview_markdown);
    socket.on_fallback(super::super::connect::unknown_event);
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
            if !admitted(&$socket, &$state, &mut ack, $event).await {
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
    open_direct_message,
    "open_direct_message",
    OpenDirect,
    |state, user, session, r, socket| {
        direct::open(&state, &user, &session.project, r)
            .await
            .map(|channel| json!({ "channel": channel }))
    }
);

handler!(
    search_messages,
    "search_messages",
    SearchRequest,
    |state, user, session, r, socket| {
        let found = search(&state, &user, &session.project, r).await;
        found.and_then(|found| serde_json::to_value(found).map_err(ApiError::internal))
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
    service::channel(state, &access, user, channel).await?;
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

pub(super) async fn announce_typing(
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
    for peer in socket.to(room(&session.project_id)).sockets() {
        if peer.id != socket.id && may_receive(&peer, event, &body) {
            send(&peer, event, &body);
        }
    }
}

#[derive(Deserialize)]
struct PreviewRequest {
    content: String,
}

handler!(
    preview_markdown,
    "preview_markdown",
    PreviewRequest,
    |state, user, session, r, socket| {
        service::preview(&state, &user, &session.project, &r.content)
            .await
            .map(|rendered| json!({ "content_html": rendered.html, "mentions": rendered.mentions }))
    }
);

#[derive(Deserialize)]
struct PresenceRequest {
    status: String,
}

/// `set_presence {status: "online"|"idle"}`: the client reports whether its person is active.
async fn set_presence(
    socket: SocketRef,
    io: socketioxide::SocketIo,
    TryData(request): TryData<PresenceRequest>,
    State(state): State<AppState>,
    Extension(user): Extension<AuthUser>,
    Extension(session): Extension<ChatSession>,
    ack: AckSender,
) {
    let mut ack = Some(ack);
    if !admitted(&socket, &state, &mut ack, "set_presence").await {
        return;
    }
    let Some(ack) = ack else { return };
    let idle = match request.as_ref().map(|r| r.status.as_str()) {
        Ok("idle") => true,
        Ok("online") => false,
        _ => {
            let error =
                ApiError::bad_request("invalid_payload", "status must be \"online\" or \"idle\"");
            return respond(&socket, ack, "set_presence", Err(error));
        }
    };
    let before = presence::snapshot(&io, socket.ns(), None)
        .get(&user.username)
        .copied();
    if let Some(flag) = socket.extensions.get::<presence::IdleFlag>() {
        flag.set(idle);
    }
    let after = presence::snapshot(&io, socket.ns(), None);
    if before != after.get(&user.username).copied() {
        super::broadcast_presence(&socket, &io, &session, None).await;
    }
    respond(
        &socket,
        ack,
        "set_presence",
        Ok(json!({ "status": request.map(|r| r.status).unwrap_or_default() })),
    );
}
