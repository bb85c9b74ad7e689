//! Read marks: how far each user has read each channel.

use sqlx::AnyPool;

use super::channels::{mention_pattern, unread_sql};
use crate::chat::{Channel, Unread};
use crate::time::{format_time, now};
use crate::{StoreError, StoreResult};

/// Moves the user's read mark forward to `message_id` (never back) and returns what is left.
pub(super) async fn mark(
    pool: &AnyPool,
    channel: &Channel,
    user_id: &str,
    username: &str,
    message_id: &str,
) -> StoreResult<Unread> {
    let in_channel: Option<String> =
        sqlx::query_scalar("SELECT id FROM messages WHERE id = $1 AND channel_id = $2")
            .bind(message_id)
            .bind(&channel.channel_id)
            .fetch_optional(pool)
            .await?;
    if in_channel.is_none() {
        return Err(StoreError::NotFound("message"));
    }
    sqlx::query(
        "INSERT INTO read_states (user_id, channel_id, last_read_id, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, channel_id) DO UPDATE SET \
         last_read_id = CASE WHEN excluded.last_read_id > read_states.last_read_id \
                        THEN excluded.last_read_id ELSE read_states.last_read_id END, \
         updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(&channel.channel_id)
    .bind(message_id)
    .bind(format_time(now()))
    .execute(pool)
    .await?;
    unread(pool, channel, user_id, username).await
}

pub(super) async fn unread(
    pool: &AnyPool,
    channel: &Channel,
    user_id: &str,
    username: &str,
) -> StoreResult<Unread> {
    let sql = format!(
        "SELECT {} AS unread_count, {} AS mention_count",
        unread_sql("$1", "$2", "$3", false),
        unread_sql("$1", "$2", "$3", true)
    );
    let row = sqlx::query(&sql)
        .bind(&channel.channel_id)
        .bind(user_id)
        .bind(mention_pattern(username))
        .fetch_one(pool)
        .await?;
    Ok(Unread {
        unread_count: sqlx::Row::try_get(&row, "unread_count")?,
        mention_count: sqlx::Row::try_get(&row, "mention_count")?,
    })
}
