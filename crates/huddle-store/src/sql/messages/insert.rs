//! The message row insert, shared by one post and by a batch: several rows per statement.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use sqlx::AnyConnection;

use crate::chat::{Channel, NewMessage};
use crate::model::Project;
use crate::sql::values::{self, MAX_BINDS, ROWS_PER_STATEMENT};
use crate::time::format_time;
use crate::{StoreError, StoreResult};

const COLUMNS: &str = "id, project_id, channel_id, author_type, author_id, author_name, kind, \
    content, content_html, mentions, thread_id, reply_to, client_id, metadata, created_at";
const COLUMN_COUNT: usize = 15;
// The rows' parameters and one for the channels.
const _: () = assert!(ROWS_PER_STATEMENT * COLUMN_COUNT < MAX_BINDS);
/// Entry `n - 1` inserts `n` rows.
static INSERTS: LazyLock<Vec<String>> = LazyLock::new(|| {
    values::statements(
        &format!("INSERT INTO messages ({COLUMNS}) VALUES "),
        COLUMN_COUNT,
    )
});
/// Entry `n - 1` inserts `n` rows, then sets `last_message_at` of the channels in a JSON
/// object of channel id → time: one parameter after the rows'.
static INSERTS_TOUCHING: LazyLock<Vec<String>> = LazyLock::new(|| {
    (INSERTS.iter().enumerate())
        .map(|(i, insert)| {
            format!(
                "{insert}; UPDATE channels SET last_message_at = j.value \
                 FROM json_each(${}) AS j WHERE channels.id = j.key",
                (i + 1) * COLUMN_COUNT + 1
            )
        })
        .collect()
});

/// A message row to write: what was posted, under the id and time it gets.
pub(in crate::sql) struct NewRow<'a> {
    pub id: &'a str,
    pub project: &'a Project,
    pub channel: &'a Channel,
    pub new: &'a NewMessage,
    pub at: DateTime<Utc>,
}

/// Inserts `rows` in their order (rowids, and so the search index, follow it), at most
/// [`ROWS_PER_STATEMENT`] per statement. A repeated `client_id` of an author is a `Conflict`.
pub(in crate::sql) async fn rows(conn: &mut AnyConnection, rows: &[NewRow<'_>]) -> StoreResult<()> {
    insert(conn, rows, false).await
}

/// [`rows`], each statement also setting `last_message_at` of its rows' channels, each to the
/// time of its newest row there. SQLite only: the update rides in the same query, which sqlx's SQLite driver
/// runs in one call to the connection's thread (`$n` count across the query's statements).
pub(in crate::sql) async fn rows_touching(
    conn: &mut AnyConnection,
    rows: &[NewRow<'_>],
) -> StoreResult<()> {
    insert(conn, rows, true).await
}

async fn insert(conn: &mut AnyConnection, rows: &[NewRow<'_>], touch: bool) -> StoreResult<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let statements = if touch { &INSERTS_TOUCHING } else { &INSERTS };
        let mut query = sqlx::query(&statements[chunk.len() - 1]);
        for row in chunk {
            let new = row.new;
            query = query
                .bind(row.id)
                .bind(&row.project.id)
                .bind(&row.channel.channel_id)
                .bind(new.author_type)
                .bind(&new.author_id)
                .bind(&new.author_name)
                .bind(&new.kind)
                .bind(&new.content)
                .bind(&new.content_html)
                .bind(serde_json::to_string(&new.mentions)?)
                .bind(new.thread_id.as_deref())
                .bind(new.reply_to.as_deref())
                .bind(new.client_id.as_deref())
                .bind(new.metadata.to_string())
                .bind(format_time(row.at));
        }
        if touch {
            // Each channel gets the time of its newest row.
            let mut newest: HashMap<&str, DateTime<Utc>> = HashMap::new();
            for row in chunk {
                let at = newest.entry(&row.channel.channel_id).or_insert(row.at);
                *at = (*at).max(row.at);
            }
            let newest: HashMap<&str, String> = newest
                .into_iter()
                .map(|(c, at)| (c, format_time(at)))
                .collect();
            query = query.bind(serde_json::to_string(&newest)?);
        }
        query
            .execute(&mut *conn)
            .await
            .map_err(|e| StoreError::from_insert(e, "a message with this client_id"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_column_count_matches_the_column_list() {
        assert_eq!(COLUMNS.split(',').count(), COLUMN_COUNT);
    }
}
