//! Messages: posting (idempotent on `client_id`), threads, edits, tombstones, pins, history.

pub(super) mod insert;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use super::events;
use crate::chat::{
    Attachment, Channel, HistoryPage, Message, NewMessage, Posted, Reaction, ThreadSummary,
};
use crate::model::{Project, StoredEvent};
use crate::time::{format_time, now, parse_time};
use crate::{StoreError, StoreResult};

pub(super) const COLUMNS: &str = "m.id, c.name AS channel_name, m.author_type, m.author_id, m.author_name, \
    m.kind, m.content, m.content_html, m.mentions, m.thread_id, m.reply_to, m.client_id, \
    m.metadata, m.created_at, m.edited_at, m.deleted_at, m.pinned_at, m.reply_count, m.last_reply_at";
pub(super) const FROM: &str = "FROM messages m JOIN channels c ON c.id = m.channel_id";

fn opt_time(row: &AnyRow, column: &str) -> StoreResult<Option<chrono::DateTime<chrono::Utc>>> {
    let text: Option<String> = row.try_get(column)?;
    text.as_deref().map(parse_time).transpose()
}

pub(super) fn message(row: &AnyRow, project_name: &str) -> StoreResult<Message> {
    let reply_count: i64 = row.try_get("reply_count")?;
    let last_reply_at = opt_time(row, "last_reply_at")?;
    Ok(Message {
        message_id: row.try_get("id")?,
        project_name: project_name.to_owned(),
        channel: row.try_get("channel_name")?,
        author_type: row.try_get("author_type")?,
        author_id: row.try_get("author_id")?,
        author_name: row.try_get("author_name")?,
        content: row.try_get("content")?,
        content_html: row.try_get("content_html")?,
        kind: row.try_get("kind")?,
        timestamp: parse_time(&row.try_get::<String, _>("created_at")?)?,
        edited_at: opt_time(row, "edited_at")?,
        deleted: opt_time(row, "deleted_at")?.is_some(),
        thread_id: row.try_get("thread_id")?,
        reply_to: row.try_get("reply_to")?,
        client_id: row.try_get("client_id")?,
        attachments: Vec::new(),
        reactions: Vec::new(),
        mentions: serde_json::from_str(&row.try_get::<String, _>("mentions")?)?,
        pinned: opt_time(row, "pinned_at")?.is_some(),
        thread: (reply_count > 0 || last_reply_at.is_some()).then(|| ThreadSummary {
            reply_count,
            last_reply_at,
            participants: Vec::new(),
        }),
        metadata: serde_json::from_str(&row.try_get::<String, _>("metadata")?)?,
    })
}

fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Fills reactions and thread participants of `messages` with two batched queries.
async fn enrich(conn: &mut AnyConnection, messages: &mut [Message]) -> StoreResult<()> {
    if messages.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = messages.iter().map(|m| m.message_id.as_str()).collect();
    let sql = format!(
        "SELECT message_id, emoji, username FROM reactions WHERE message_id IN ({}) \
         ORDER BY message_id, created_at, username",
        placeholders(1, ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in &ids {
        query = query.bind(*id);
    }
    let mut reactions: HashMap<String, Vec<Reaction>> = HashMap::new();
    for row in query.fetch_all(&mut *conn).await? {
        let list = reactions.entry(row.try_get("message_id")?).or_default();
        let (emoji, user): (String, String) = (row.try_get("emoji")?, row.try_get("username")?);
        match list.iter_mut().find(|r| r.emoji == emoji) {
            Some(r) => {
                r.count += 1;
                r.users.push(user);
            }
            None => list.push(Reaction {
                emoji,
                count: 1,
                users: vec![user],
            }),
        }
    }
    let roots: Vec<&str> = messages
        .iter()
        .filter(|m| m.thread.is_some())
        .map(|m| m.message_id.as_str())
        .collect();
    let mut participants: HashMap<String, Vec<String>> = HashMap::new();
    if !roots.is_empty() {
        let sql = format!(
            "SELECT DISTINCT thread_id, author_name FROM messages WHERE thread_id IN ({}) \
             AND deleted_at IS NULL ORDER BY thread_id, author_name",
            placeholders(1, roots.len())
        );
        let mut query = sqlx::query(&sql);
        for id in &roots {
            query = query.bind(*id);
        }
        for row in query.fetch_all(&mut *conn).await? {
            participants
                .entry(row.try_get("thread_id")?)
                .or_default()
                .push(row.try_get("author_name")?);
        }
    }
    let mut attachments = super::attachments::of_messages(conn, &ids).await?;
    for m in messages.iter_mut() {
        m.attachments = attachments.remove(&m.message_id).unwrap_or_default();
        m.reactions = reactions.remove(&m.message_id).unwrap_or_default();
        if let Some(thread) = m.thread.as_mut() {
            thread.participants = participants.remove(&m.message_id).unwrap_or_default();
        }
    }
    Ok(())
}

pub(super) async fn load(
    conn: &mut AnyConnection,
    project: &Project,
    id: &str,
) -> StoreResult<Option<Message>> {
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE m.id = $1 AND m.project_id = $2");
    let row = sqlx::query(&sql)
        .bind(id)
        .bind(&project.id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let mut found = [message(&row, &project.name)?];
    enrich(conn, &mut found).await?;
    let [found] = found;
    Ok(Some(found))
}

async fn must_load(conn: &mut AnyConnection, project: &Project, id: &str) -> StoreResult<Message> {
    load(conn, project, id)
        .await?
        .ok_or(StoreError::NotFound("message"))
}

fn rejected(code: &'static str, message: &str) -> StoreError {
    StoreError::Rejected {
        code,
        message: message.to_owned(),
    }
}

async fn existing(
    conn: &mut AnyConnection,
    project: &Project,
    author: &str,
    client_id: &str,
) -> StoreResult<Option<Message>> {
    let id: Option<String> =
        sqlx::query_scalar("SELECT id FROM messages WHERE author_id = $1 AND client_id = $2")
            .bind(author)
            .bind(client_id)
            .fetch_optional(&mut *conn)
            .await?;
    match id {
        Some(id) => load(conn, project, &id).await,
        None => Ok(None),
    }
}

pub(super) async fn post(
    pool: &AnyPool,
    project: &Project,
    channel: &Channel,
    new: NewMessage,
) -> StoreResult<Posted> {
    let mut tx = pool.begin().await?;
    let posted = post_in(&mut tx, project, channel, new).await?;
    tx.commit().await?;
    Ok(posted)
}

/// Sets the channel's `last_message_at`.
async fn touch(tx: &mut AnyConnection, channel_id: &str, stamp: &str) -> StoreResult<()> {
    sqlx::query("UPDATE channels SET last_message_at = $1 WHERE id = $2")
        .bind(stamp)
        .bind(channel_id)
        .execute(tx)
        .await?;
    Ok(())
}

/// Posts inside the caller's transaction, which decides when it commits.
async fn post_in(
    tx: &mut AnyConnection,
    project: &Project,
    channel: &Channel,
    new: NewMessage,
) -> StoreResult<Posted> {
    if let Some(found) = check(tx, project, channel, &new).await? {
        return Ok(Posted::Duplicate(found));
    }
    write(tx, project, channel, new).await
}

/// Everything that makes a post a repeat or refuses it, read before anything is written:
/// `Some` is the message an earlier send with the same `client_id` created. A post refused
/// here has changed nothing, so a batch can leave it out and go on.
pub(super) async fn check(
    tx: &mut AnyConnection,
    project: &Project,
    channel: &Channel,
    new: &NewMessage,
) -> StoreResult<Option<Message>> {
    if let Some(client_id) = &new.client_id {
        if let Some(found) = existing(tx, project, &new.author_id, client_id).await? {
            return Ok(Some(found));
        }
    }
    if let Some(root) = &new.thread_id {
        let ok: Option<String> = sqlx::query_scalar(
            "SELECT id FROM messages WHERE id = $1 AND channel_id = $2 AND thread_id IS NULL",
        )
        .bind(root)
        .bind(&channel.channel_id)
        .fetch_optional(&mut *tx)
        .await?;
        if ok.is_none() {
            return Err(rejected(
                "invalid_thread",
                "thread_id must be a top-level message of this channel",
            ));
        }
    }
    if let Some(reply_to) = &new.reply_to {
        let ok: Option<String> =
            sqlx::query_scalar("SELECT id FROM messages WHERE id = $1 AND channel_id = $2")
                .bind(reply_to)
                .bind(&channel.channel_id)
                .fetch_optional(&mut *tx)
                .await?;
        if ok.is_none() {
            return Err(rejected(
                "invalid_reply",
                "reply_to must be a message of this channel",
            ));
        }
    }
    Ok(None)
}

/// Writes a post that passed [`check`]: its row, its uploads, its channel's
/// `last_message_at`, its events and its thread.
pub(super) async fn write(
    tx: &mut AnyConnection,
    project: &Project,
    channel: &Channel,
    new: NewMessage,
) -> StoreResult<Posted> {
    let id = uuid::Uuid::now_v7().to_string();
    let at = now();
    let stamp = format_time(at);
    let row = insert::NewRow {
        id: &id,
        project,
        channel,
        new: &new,
        at,
    };
    insert::rows(tx, &[row]).await?;
    super::attachments::claim(tx, &new.attachments, &id, &project.id, &new.author_id).await?;
    touch(tx, &channel.channel_id, &stamp).await?;
    let attachments = if new.attachments.is_empty() {
        Vec::new()
    } else {
        super::attachments::of_messages(tx, &[id.as_str()])
            .await?
            .remove(&id)
            .unwrap_or_default()
    };
    let message = created(id, at, project, channel, &new, attachments);
    let actor = Some(new.author_name.as_str());
    let mut caused = vec![
        events::append(
            tx,
            project,
            "message_received",
            serde_json::to_value(&message)?,
            actor,
        )
        .await?,
    ];
    if let Some(root) = &new.thread_id {
        let replies: i64 = sqlx::query_scalar(
            "UPDATE messages SET reply_count = reply_count + 1, last_reply_at = $1 WHERE id = $2 \
             RETURNING reply_count",
        )
        .bind(&stamp)
        .bind(root)
        .fetch_one(&mut *tx)
        .await?;
        if replies == 1 {
            let payload = json!({ "thread_id": root, "parent_message_id": root, "channel": channel.name,
                                  "created_by": new.author_name });
            caused.push(events::append(tx, project, "thread_created", payload, actor).await?);
        }
        caused.push(thread_updated(tx, project, root, actor).await?);
    }
    Ok(Posted::Created {
        message,
        events: caused,
    })
}

/// The message a post wrote as `id` at `at`, built from what was written rather than read
/// back: one post is then few statements.
pub(super) fn created(
    id: String,
    at: DateTime<Utc>,
    project: &Project,
    channel: &Channel,
    new: &NewMessage,
    attachments: Vec<Attachment>,
) -> Message {
    Message {
        message_id: id,
        project_name: project.name.clone(),
        channel: channel.name.clone(),
        author_type: new.author_type.to_owned(),
        author_id: new.author_id.clone(),
        author_name: new.author_name.clone(),
        content: new.content.clone(),
        content_html: new.content_html.clone(),
        kind: new.kind.clone(),
        timestamp: at,
        edited_at: None,
        deleted: false,
        thread_id: new.thread_id.clone(),
        reply_to: new.reply_to.clone(),
        client_id: new.client_id.clone(),
        attachments,
        reactions: Vec::new(),
        mentions: new.mentions.clone(),
        pinned: false,
        thread: None,
        metadata: new.metadata.clone(),
    }
}

async fn thread_updated(
    conn: &mut AnyConnection,
    project: &Project,
    root: &str,
    actor: Option<&str>,
) -> StoreResult<StoredEvent> {
    let root_message = must_load(conn, project, root).await?;
    let thread = root_message.thread.unwrap_or(ThreadSummary {
        reply_count: 0,
        last_reply_at: None,
        participants: vec![],
    });
    let payload = json!({
        "thread_id": root,
        "channel": root_message.channel,
        "message_count": thread.reply_count,
        "last_message_at": thread.last_reply_at.map(format_time),
        "participants": thread.participants,
    });
    events::append(conn, project, "thread_updated", payload, actor).await
}

pub(super) async fn edit(
    pool: &AnyPool,
    project: &Project,
    id: &str,
    content: &str,
    html: &str,
    mentions: &[String],
    actor: &str,
) -> StoreResult<(Message, StoredEvent)> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE messages SET content = $1, content_html = $2, mentions = $3, edited_at = $4 \
         WHERE id = $5 AND project_id = $6 AND deleted_at IS NULL",
    )
    .bind(content)
    .bind(html)
    .bind(serde_json::to_string(mentions)?)
    .bind(format_time(now()))
    .bind(id)
    .bind(&project.id)
    .execute(&mut *tx)
    .await?;
    updated(tx, done.rows_affected(), project, id, actor).await
}

pub(super) async fn delete(
    pool: &AnyPool,
    project: &Project,
    id: &str,
    actor: &str,
) -> StoreResult<(Message, Vec<StoredEvent>)> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE messages SET content = '', content_html = '', mentions = '[]', deleted_at = $1, \
         pinned_at = NULL WHERE id = $2 AND project_id = $3 AND deleted_at IS NULL",
    )
    .bind(format_time(now()))
    .bind(id)
    .bind(&project.id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::NotFound("message"));
    }
    sqlx::query("DELETE FROM reactions WHERE message_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let message = must_load(&mut tx, project, id).await?;
    let mut caused = vec![
        events::append(
            &mut tx,
            project,
            "message_deleted",
            serde_json::to_value(&message)?,
            Some(actor),
        )
        .await?,
    ];
    if let Some(root) = &message.thread_id {
        sqlx::query(
            "UPDATE messages SET reply_count = reply_count - 1 WHERE id = $1 AND reply_count > 0",
        )
        .bind(root)
        .execute(&mut *tx)
        .await?;
        caused.push(thread_updated(&mut tx, project, root, Some(actor)).await?);
    }
    tx.commit().await?;
    Ok((message, caused))
}

pub(super) async fn set_pinned(
    pool: &AnyPool,
    project: &Project,
    id: &str,
    pinned: bool,
    actor: &str,
) -> StoreResult<(Message, StoredEvent)> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE messages SET pinned_at = $1 WHERE id = $2 AND project_id = $3 AND deleted_at IS NULL",
    )
    .bind(pinned.then(|| format_time(now())))
    .bind(id)
    .bind(&project.id)
    .execute(&mut *tx)
    .await?;
    updated(tx, done.rows_affected(), project, id, actor).await
}

/// Finishes a guarded update of one live message: records `message_updated` with the message as
/// it now is, or reports that there was no such message.
async fn updated(
    mut tx: sqlx::Transaction<'_, sqlx::Any>,
    rows: u64,
    project: &Project,
    id: &str,
    actor: &str,
) -> StoreResult<(Message, StoredEvent)> {
    if rows != 1 {
        return Err(StoreError::NotFound("message"));
    }
    let message = must_load(&mut tx, project, id).await?;
    let payload = serde_json::to_value(&message)?;
    let event = events::append(&mut tx, project, "message_updated", payload, Some(actor)).await?;
    tx.commit().await?;
    Ok((message, event))
}

/// Adds or removes one user's reaction. No change (already there / not there) records nothing.
pub(super) async fn react(
    pool: &AnyPool,
    project: &Project,
    id: &str,
    user_id: &str,
    username: &str,
    emoji: &str,
    add: bool,
) -> StoreResult<(Message, Option<StoredEvent>)> {
    let mut tx = pool.begin().await?;
    let target = must_load(&mut tx, project, id).await?;
    if target.deleted {
        return Err(StoreError::NotFound("message"));
    }
    let changed = if add {
        sqlx::query(
            "INSERT INTO reactions (message_id, user_id, username, emoji, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(user_id)
        .bind(username)
        .bind(emoji)
        .bind(format_time(now()))
        .execute(&mut *tx)
        .await?
    } else {
        sqlx::query("DELETE FROM reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3")
            .bind(id)
            .bind(user_id)
            .bind(emoji)
            .execute(&mut *tx)
            .await?
    };
    if changed.rows_affected() == 0 {
        return Ok((target, None));
    }
    let message = must_load(&mut tx, project, id).await?;
    let payload = json!({ "message_id": id, "channel": message.channel, "thread_id": message.thread_id,
                          "reactions": message.reactions });
    let event = events::append(
        &mut tx,
        project,
        "reaction_updated",
        payload,
        Some(username),
    )
    .await?;
    tx.commit().await?;
    Ok((message, Some(event)))
}

/// Newest first: top-level messages of the channel, or the replies of one thread.
pub(super) async fn history(
    pool: &AnyPool,
    project: &Project,
    channel: &Channel,
    thread_id: Option<&str>,
    before: Option<&str>,
    limit: i64,
) -> StoreResult<HistoryPage> {
    let mut conn = pool.acquire().await?;
    let scope = if thread_id.is_some() {
        "m.thread_id = $2"
    } else {
        "m.thread_id IS NULL AND $2 = ''"
    };
    let cursor = if before.is_some() {
        "AND m.id < $3"
    } else {
        "AND $3 = ''"
    };
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE m.channel_id = $1 AND {scope} {cursor} ORDER BY m.id DESC LIMIT $4"
    );
    let rows = sqlx::query(&sql)
        .bind(&channel.channel_id)
        .bind(thread_id.unwrap_or(""))
        .bind(before.unwrap_or(""))
        .bind(limit + 1)
        .fetch_all(&mut *conn)
        .await?;
    let has_more = rows.len() as i64 > limit;
    let mut messages = rows
        .iter()
        .take(limit as usize)
        .map(|r| message(r, &project.name))
        .collect::<StoreResult<Vec<_>>>()?;
    enrich(&mut conn, &mut messages).await?;
    Ok(HistoryPage { messages, has_more })
}
