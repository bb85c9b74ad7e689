//! Channels of a project, with per-user unread counts.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use super::events;
use crate::chat::{Channel, ChannelChange, DirectPair, DEFAULT_CHANNELS};
use crate::model::User;
use crate::model::{Project, StoredEvent};
use crate::time::{format_time, now, parse_time};
use crate::{StoreError, StoreResult};

/// Leaves out the direct messages `$user` does not take part in.
pub(super) fn visible_to(channel: &str, user: &str) -> String {
    format!(
        "({channel}.dm_user_id IS NULL OR {channel}.dm_user_id = {user} \
         OR {channel}.dm_agent_id = {user})"
    )
}

/// Unread counts stop at this many, so a huge backlog costs a bounded scan ("999+").
pub const UNREAD_CAP: i64 = 1000;

const COLUMNS: &str = "c.id, c.project_id, c.name, c.kind, c.description, c.archived_at, \
                       c.created_at, c.last_message_at";

fn channel(row: &AnyRow) -> StoreResult<Channel> {
    let archived: Option<String> = row.try_get("archived_at")?;
    let last: Option<String> = row.try_get("last_message_at")?;
    let name: String = row.try_get("name")?;
    Ok(Channel {
        channel_id: row.try_get("id")?,
        project_id: row.try_get("project_id")?,
        direct: DirectPair::of(&name),
        name,
        kind: row.try_get("kind")?,
        description: row.try_get("description")?,
        archived: archived.is_some(),
        created_at: parse_time(&row.try_get::<String, _>("created_at")?)?,
        last_message_at: last.as_deref().map(parse_time).transpose()?,
        unread_count: 0,
        mention_count: 0,
        last_read_message_id: None,
    })
}

/// `"name"` escaped for `LIKE`: the SQL of [`unread_sql`] wraps it in `%` to find it inside the
/// JSON mentions array.
pub(super) fn mention_pattern(username: &str) -> String {
    let escaped = username
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("\"{escaped}\"")
}

/// Unread root messages by others after the user's read mark, and those mentioning them.
pub(super) fn unread_sql(
    channel_expr: &str,
    user: &str,
    pattern: &str,
    mentions_only: bool,
) -> String {
    let mention = if mentions_only {
        // Not `LIKE $n`: SQLite re-prepares a statement whose LIKE pattern is a bare parameter
        // every time it is bound anew (it may optimise a fixed prefix); an expression is not.
        format!(" AND m.mentions LIKE ('%' || {pattern} || '%') ESCAPE '\\'")
    } else {
        String::new()
    };
    format!(
        "(SELECT COUNT(*) FROM (SELECT 1 FROM messages m WHERE m.channel_id = {channel_expr} \
         AND m.thread_id IS NULL AND m.deleted_at IS NULL AND m.author_id <> {user} \
         AND m.id > COALESCE((SELECT r.last_read_id FROM read_states r WHERE r.user_id = {user} \
         AND r.channel_id = {channel_expr}), ''){mention} LIMIT {UNREAD_CAP}) counted)"
    )
}

pub(super) async fn create_defaults(
    conn: &mut AnyConnection,
    project: &Project,
) -> StoreResult<()> {
    for (name, kind, description) in DEFAULT_CHANNELS {
        sqlx::query(
            "INSERT INTO channels (id, project_id, name, kind, description, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&project.id)
        .bind(name)
        .bind(kind)
        .bind(description)
        .bind(format_time(project.created_at))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub(super) async fn list(
    pool: &AnyPool,
    project: &Project,
    user_id: &str,
    username: &str,
) -> StoreResult<Vec<Channel>> {
    let sql = format!(
        "SELECT {COLUMNS}, {} AS unread_count, {} AS mention_count, \
         (SELECT r.last_read_id FROM read_states r WHERE r.user_id = $2 AND r.channel_id = c.id) \
         AS last_read_id FROM channels c WHERE c.project_id = $1 AND {} ORDER BY c.created_at, c.id",
        unread_sql("c.id", "$2", "$3", false),
        unread_sql("c.id", "$2", "$3", true),
        visible_to("c", "$2"),
    );
    let rows = sqlx::query(&sql)
        .bind(&project.id)
        .bind(user_id)
        .bind(mention_pattern(username))
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| {
            let mut c = channel(row)?;
            c.unread_count = row.try_get("unread_count")?;
            c.mention_count = row.try_get("mention_count")?;
            c.last_read_message_id = row.try_get("last_read_id")?;
            Ok(c)
        })
        .collect()
}

pub(super) async fn by_name(
    conn: &mut AnyConnection,
    project_id: &str,
    name: &str,
) -> StoreResult<Option<Channel>> {
    let sql = format!("SELECT {COLUMNS} FROM channels c WHERE c.project_id = $1 AND c.name = $2");
    let row = sqlx::query(&sql)
        .bind(project_id)
        .bind(name)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(channel).transpose()
}

pub(super) async fn by_id(conn: &mut AnyConnection, id: &str) -> StoreResult<Channel> {
    let sql = format!("SELECT {COLUMNS} FROM channels c WHERE c.id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await?;
    row.as_ref()
        .map(channel)
        .transpose()?
        .ok_or(StoreError::NotFound("channel"))
}

pub(super) async fn create(
    pool: &AnyPool,
    project: &Project,
    name: &str,
    kind: &str,
    description: &str,
    actor: &str,
) -> StoreResult<(Channel, StoredEvent)> {
    let mut tx = pool.begin().await?;
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO channels (id, project_id, name, kind, description, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&id)
    .bind(&project.id)
    .bind(name)
    .bind(kind)
    .bind(description)
    .bind(format_time(now()))
    .execute(&mut *tx)
    .await
    .map_err(|e| StoreError::from_insert(e, &format!("channel '{name}'")))?;
    recorded(tx, project, &id, "channel_created", actor).await
}

pub(super) async fn update(
    pool: &AnyPool,
    project: &Project,
    current: &Channel,
    change: ChannelChange,
    actor: &str,
) -> StoreResult<(Channel, StoredEvent)> {
    let mut tx = pool.begin().await?;
    let archived_at = match change.archived {
        Some(true) if !current.archived => Some(Some(format_time(now()))),
        Some(false) => Some(None),
        _ => None,
    };
    let done = sqlx::query(
        "UPDATE channels SET name = COALESCE($1, name), description = COALESCE($2, description), \
         archived_at = CASE WHEN $3 = 1 THEN $4 ELSE archived_at END WHERE id = $5",
    )
    .bind(change.name.as_deref())
    .bind(change.description.as_deref())
    .bind(i64::from(archived_at.is_some()))
    .bind(archived_at.flatten())
    .bind(&current.channel_id)
    .execute(&mut *tx)
    .await
    .map_err(|e| StoreError::from_insert(e, "a channel with that name"))?;
    if done.rows_affected() != 1 {
        return Err(StoreError::NotFound("channel"));
    }
    recorded(tx, project, &current.channel_id, "channel_updated", actor).await
}

/// Finishes a change to channel `id`: records `kind` with the channel as it now is, commits.
async fn recorded(
    mut tx: sqlx::Transaction<'_, sqlx::Any>,
    project: &Project,
    id: &str,
    kind: &str,
    actor: &str,
) -> StoreResult<(Channel, StoredEvent)> {
    let channel = by_id(&mut tx, id).await?;
    let event = events::append(
        &mut tx,
        project,
        kind,
        serde_json::to_value(&channel)?,
        Some(actor),
    )
    .await?;
    tx.commit().await?;
    Ok((channel, event))
}

/// The direct message between `agent` and `user`, created on first use. `channel_created` is
/// recorded only when it was created.
pub(super) async fn open_direct(
    pool: &AnyPool,
    project: &Project,
    agent: &User,
    user: &User,
    actor: &str,
) -> StoreResult<(Channel, Option<StoredEvent>)> {
    let name = huddle_core::direct::channel_name(&agent.username, &user.username);
    let mut tx = pool.begin().await?;
    if let Some(found) = by_name(&mut tx, &project.id, &name).await? {
        return Ok((found, None));
    }
    let id = uuid::Uuid::now_v7().to_string();
    let inserted = sqlx::query(
        "INSERT INTO channels (id, project_id, name, kind, description, created_at, dm_agent_id, \
         dm_user_id) VALUES ($1, $2, $3, 'agent', $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(&id)
    .bind(&project.id)
    .bind(&name)
    .bind(format!(
        "Direct messages between {} and {}",
        user.username, agent.username
    ))
    .bind(format_time(now()))
    .bind(&agent.id)
    .bind(&user.id)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        // Opened at the same moment by the other participant or another tab.
        drop(tx);
        let found = by_name(&mut *pool.acquire().await?, &project.id, &name).await?;
        return Ok((found.ok_or(StoreError::NotFound("channel"))?, None));
    }
    let (created, event) = recorded(tx, project, &id, "channel_created", actor).await?;
    Ok((created, Some(event)))
}
