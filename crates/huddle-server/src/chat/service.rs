//! Every chat change and query, shared by the socket handlers and the REST routes: validate,
//! check the caller's role, call the store, publish what was committed.

pub(crate) mod checks;

use std::collections::HashSet;
use std::time::Instant;

use huddle_agents::AgentRole;
use huddle_core::{direct, Permission, ProjectName};
use huddle_store::{
    Channel, ChannelChange, HistoryPage, Message, NewMessage, Posted, StoredEvent, Unread, User,
};
use serde::Deserialize;
use serde_json::json;

use self::checks::{check_content, check_cursor, check_description, is_message_id, no_nul};
use super::{commands, markdown};
use crate::access::{open_project, ProjectAccess};
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

/// Longest message, in characters.
pub const MAX_CONTENT_CHARS: usize = 2000;
const MAX_CLIENT_ID: usize = 64;

#[derive(Debug, Deserialize)]
pub struct SendMessage {
    pub content: String,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub channel: Option<String>,
    pub thread_id: Option<String>,
    pub reply_to: Option<String>,
    pub client_id: Option<String>,
    /// Ids from `POST /api/projects/{name}/attachments` (or the attachment objects it returned).
    #[serde(default)]
    pub attachments: Vec<AttachmentRef>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum AttachmentRef {
    Id(String),
    Object { attachment_id: String },
}

impl AttachmentRef {
    fn id(self) -> String {
        match self {
            AttachmentRef::Id(id) | AttachmentRef::Object { attachment_id: id } => id,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    pub channel: String,
    pub limit: Option<i64>,
    pub before: Option<String>,
    pub thread_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NewChannel {
    pub name: String,
    #[serde(rename = "type", alias = "kind")]
    pub kind: Option<String>,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Deserialize)]
pub struct ChannelUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub archived: Option<bool>,
}

pub(super) fn publish(state: &AppState, events: impl IntoIterator<Item = StoredEvent>) {
    for event in events {
        state.bus.publish(event);
    }
}

fn invalid(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::bad_request(code, message)
}

pub(super) async fn full_user(state: &AppState, user: &AuthUser) -> Result<User, ApiError> {
    state
        .store
        .user_by_id(&user.id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("the account no longer exists"))
}

/// The channel called `name`, if `user` may see it: a direct message someone else is in is
/// "not found", exactly like a channel that does not exist.
pub async fn channel(
    state: &AppState,
    access: &ProjectAccess,
    user: &AuthUser,
    name: &str,
) -> Result<Channel, ApiError> {
    let not_found = || {
        ApiError::not_found(&format!("channel '{name}'"))
            .with_hint("The channel list in chat_ready names them all.")
    };
    if direct::is_direct(name) {
        if !direct::may_see(name, &user.username) {
            return Err(not_found());
        }
    } else {
        ProjectName::parse(name).map_err(|_| not_found())?;
    }
    state
        .store
        .channel(&access.project, name)
        .await?
        .ok_or_else(not_found)
}

/// Names that can be mentioned: members and agent roles.
async fn mentionable(
    state: &AppState,
    access: &ProjectAccess,
) -> Result<HashSet<String>, ApiError> {
    let members = state.store.list_members(&access.project.id).await?;
    Ok(members
        .into_iter()
        .map(|m| m.username)
        .chain(AgentRole::ALL.iter().map(|r| r.as_str().to_owned()))
        .collect())
}

pub async fn send(
    state: &AppState,
    user: &AuthUser,
    project: &str,
    req: SendMessage,
) -> Result<Message, ApiError> {
    let max_files = state.config.attachments.max_per_message;
    if req.attachments.len() > max_files {
        return Err(invalid(
            "invalid_message",
            format!("at most {max_files} attachments per message"),
        ));
    }
    for (what, value) in [
        ("channel", req.channel.as_deref()),
        ("type", req.kind.as_deref()),
        ("thread_id", req.thread_id.as_deref()),
        ("reply_to", req.reply_to.as_deref()),
        ("client_id", req.client_id.as_deref()),
    ] {
        no_nul(what, value.unwrap_or_default())?;
    }
    for attachment in &req.attachments {
        let (AttachmentRef::Id(id) | AttachmentRef::Object { attachment_id: id }) = attachment;
        no_nul("an attachment id", id)?;
    }
    if req.attachments.is_empty() || !req.content.is_empty() {
        check_content(&req.content)?;
    }
    if req
        .client_id
        .as_ref()
        .is_some_and(|c| c.is_empty() || c.len() > MAX_CLIENT_ID)
    {
        return Err(invalid(
            "invalid_message",
            format!("client_id must be 1 to {MAX_CLIENT_ID} characters"),
        ));
    }
    if let Some(kind) = req
        .kind
        .as_deref()
        .filter(|k| !["message", "command", "thread_reply"].contains(k))
    {
        return Err(invalid(
            "invalid_message",
            format!("unknown message type '{kind}'"),
        ));
    }
    let access = open_project(state.store.as_ref(), user, project, Permission::Write).await?;
    let channel = channel(
        state,
        &access,
        user,
        req.channel.as_deref().unwrap_or("general"),
    )
    .await?;
    if channel.archived {
        return Err(ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "channel_archived",
            format!("#{} is archived", channel.name),
        )
        .with_hint("Ask a maintainer to unarchive it, or post in another channel."));
    }
    let rendered = markdown::render(&req.content, &mentionable(state, &access).await?);
    let is_command = req.content.trim_start().starts_with('/');
    let kind = if is_command {
        "command"
    } else if req.thread_id.is_some() {
        "thread_reply"
    } else {
        "message"
    };
    let new = NewMessage {
        author_type: if user.is_agent { "agent" } else { "user" },
        author_id: user.id.clone(),
        author_name: user.username.clone(),
        kind: kind.into(),
        content: req.content.clone(),
        content_html: rendered.html,
        mentions: rendered.mentions,
        thread_id: req.thread_id,
        reply_to: req.reply_to,
        client_id: req.client_id,
        attachments: req.attachments.into_iter().map(AttachmentRef::id).collect(),
        metadata: json!({}),
    };
    let (message, events) = match state
        .store
        .post_message(&access.project, &channel, new)
        .await?
    {
        Posted::Duplicate(message) => return Ok(message),
        Posted::Created { message, events } => (message, events),
    };
    publish(state, events);
    if is_command {
        answer_command(state, &access, &message, user).await?;
    }
    Ok(message)
}

async fn answer_command(
    state: &AppState,
    access: &ProjectAccess,
    message: &Message,
    user: &AuthUser,
) -> Result<(), ApiError> {
    let started = Instant::now();
    let Some(outcome) = commands::run(&message.content) else {
        return Ok(());
    };
    let payload = json!({
        "message_id": message.message_id,
        "channel": message.channel,
        "command": outcome.command,
        "success": outcome.success,
        "result": outcome.result,
        "error": outcome.error,
        "hint": outcome.hint,
        "execution_time": started.elapsed().as_secs_f64() * 1000.0,
    });
    let event = state
        .store
        .append_event(
            &access.project,
            "command_result",
            payload,
            Some(&user.username),
        )
        .await?;
    publish(state, [event]);
    Ok(())
}

async fn own_or_moderator(
    access: &ProjectAccess,
    user: &AuthUser,
    message: &Message,
    moderators_too: bool,
) -> Result<(), ApiError> {
    let is_author = message.author_id == user.id;
    let moderator = user.is_admin || access.role.is_some_and(|r| r.allows(Permission::Moderate));
    if is_author || (moderators_too && moderator) {
        Ok(())
    } else if moderators_too {
        Err(ApiError::forbidden(
            "only the author or a maintainer can do this",
        ))
    } else {
        Err(ApiError::forbidden("only the author can edit a message"))
    }
}

/// A live message `user` may see.
async fn existing(
    state: &AppState,
    access: &ProjectAccess,
    user: &AuthUser,
    id: &str,
) -> Result<Message, ApiError> {
    if !is_message_id(id) {
        return Err(ApiError::not_found("message"));
    }
    match state.store.message(&access.project, id).await? {
        Some(m) if !m.deleted && direct::may_see(&m.channel, &user.username) => Ok(m),
        _ => Err(ApiError::not_found("message")),
    }
}

pub async fn edit(
    state: &AppState,
    user: &AuthUser,
    project: &str,
    id: &str,
    content: &str,
) -> Result<Message, ApiError> {
    check_content(content)?;
    let access = open_project(state.store.as_ref(), user, project, Permission::Write).await?;
    let message = existing(state, &access, user, id).await?;
    own_or_moderator(&access, user, &message, false).await?;
    let rendered = markdown::render(content, &mentionable(state, &access).await?);
    let (message, event) = state
        .store
        .edit_message(
            &access.project,
            id,
            content,
            &rendered.html,
            &rendered.mentions,
            &user.username,
        )
        .await?;
    publish(state, [event]);
    Ok(message)
}

pub async fn delete(
    state: &AppState,
    user: &AuthUser,
    project: &str,
    id: &str,
) -> Result<Message, ApiError> {
    let access = open_project(state.store.as_ref(), user, project, Permission::Write).await?;
    let message = existing(state, &access, user, id).await?;
    own_or_moderator(&access, user, &message, true).await?;
    let (message, events) = state
        .store
        .delete_message(&access.project, id, &user.username)
        .await?;
    publish(state, events);
    Ok(message)
}

pub async fn react(
    state: &AppState,
    user: &AuthUser,
    project: &str,
    id: &str,
    emoji: &str,
    add: bool,
) -> Result<Message, ApiError> {
    let emoji = checks::reaction(emoji)?;
    let access = open_project(state.store.as_ref(), user, project, Permission::Write).await?;
    existing(state, &access, user, id).await?;
    let reactor = full_user(state, user).await?;
    let (message, event) = state
        .store
        .react(&access.project, id, &reactor, emoji, add)
        .await?;
    publish(state, event);
    Ok(message)
}

pub async fn pin(
    state: &AppState,
    user: &AuthUser,
    project: &str,
    id: &str,
    pinned: bool,
) -> Result<Message, ApiError> {
    let access = open_project(state.store.as_ref(), user, project, Permission::Moderate).await?;
    existing(state, &access, user, id).await?;
    let (message, event) = state
        .store
        .set_pinned(&access.project, id, pinned, &user.username)
        .await?;
    publish(state, [event]);
    Ok(message)
}

pub async fn history(
    state: &AppState,
    user: &AuthUser,
    project: &str,
    query: &HistoryQuery,
) -> Result<HistoryPage, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(invalid("invalid_query", "limit must be 1 to 100"));
    }
    check_cursor("before", query.before.as_deref())?;
    check_cursor("thread_id", query.thread_id.as_deref())?;
    let access = open_project(state.store.as_ref(), user, project, Permission::Read).await?;
    let channel = channel(state, &access, user, &query.channel).await?;
    let page = state
        .store
        .history(
            &access.project,
            &channel,
            query.thread_id.as_deref(),
            query.before.as_deref(),
            limit,
        )
        .await?;
    Ok(page)
}

/// Renders `content` as a message would be, without storing anything (the composer's preview).
pub async fn preview(
    state: &AppState,
    user: &AuthUser,
    project: &str,
    content: &str,
) -> Result<markdown::Rendered, ApiError> {
    check_content(content)?;
    let access = open_project(state.store.as_ref(), user, project, Permission::Read).await?;
    Ok(markdown::render(
        content,
        &mentionable(state, &access).await?,
    ))
}

pub async fn mark_read(
    state: &AppState,
    user: &AuthUser,
    project: &str,
    channel_name: &str,
    id: &str,
) -> Result<Unread, ApiError> {
    let access = open_project(state.store.as_ref(), user, project, Permission::Read).await?;
    let channel = channel(state, &access, user, channel_name).await?;
    if !is_message_id(id) {
        return Err(ApiError::not_found("message"));
    }
    let reader = full_user(state, user).await?;
    Ok(state.store.mark_read(&channel, &reader, id).await?)
}

pub async fn channels(
    state: &AppState,
    user: &AuthUser,
    access: &ProjectAccess,
) -> Result<Vec<Channel>, ApiError> {
    Ok(state
        .store
        .list_channels(&access.project, &user.id, &user.username)
        .await?)
}

fn check_kind(kind: Option<&str>) -> Result<&str, ApiError> {
    let kind = kind.unwrap_or("general");
    if huddle_store::chat::CHANNEL_KINDS.contains(&kind) {
        Ok(kind)
    } else {
        Err(invalid(
            "invalid_channel",
            "type must be general, workflow, agent or error",
        ))
    }
}

pub async fn create_channel(
    state: &AppState,
    user: &AuthUser,
    project: &str,
    req: NewChannel,
) -> Result<Channel, ApiError> {
    no_nul("the channel name", &req.name)?;
    let name = ProjectName::parse(&req.name).map_err(|e| {
        invalid(
            "invalid_name",
            e.to_string().replace("project name", "channel name"),
        )
    })?;
    let kind = check_kind(req.kind.as_deref())?;
    check_description(&req.description)?;
    let access = open_project(state.store.as_ref(), user, project, Permission::Moderate).await?;
    let (channel, event) = state
        .store
        .create_channel(
            &access.project,
            name.as_str(),
            kind,
            &req.description,
            &user.username,
        )
        .await?;
    publish(state, [event]);
    Ok(channel)
}

pub async fn update_channel(
    state: &AppState,
    user: &AuthUser,
    project: &str,
    name: &str,
    req: ChannelUpdate,
) -> Result<Channel, ApiError> {
    if let Some(new_name) = &req.name {
        no_nul("the channel name", new_name)?;
        ProjectName::parse(new_name).map_err(|e| {
            invalid(
                "invalid_name",
                e.to_string().replace("project name", "channel name"),
            )
        })?;
    }
    if let Some(description) = &req.description {
        check_description(description)?;
    }
    let access = open_project(state.store.as_ref(), user, project, Permission::Moderate).await?;
    let current = channel(state, &access, user, name).await?;
    if current.direct.is_some() {
        return Err(invalid(
            "invalid_channel",
            "a direct message cannot be renamed, described or archived",
        ));
    }
    let change = ChannelChange {
        name: req.name,
        description: req.description,
        archived: req.archived,
    };
    let (channel, event) = state
        .store
        .update_channel(&access.project, &current, change, &user.username)
        .await?;
    publish(state, [event]);
    Ok(channel)
}
