//! The per-project event log. A sequence number is taken by bumping `projects.last_seq` inside
//! the writing transaction: the row lock (PostgreSQL) or the single writer (SQLite) serialises
//! writers of one project, a rollback gives the number back, so sequences are gap-free and
//! commit in order. A batch's events take their numbers with one bump per query
//! ([`append_many`]).

use std::sync::LazyLock;

use sqlx::{AnyConnection, AnyPool};

use super::rows::{self, EVENT_COLUMNS};
use super::values::{MAX_BINDS, ROWS_PER_STATEMENT};
use crate::model::{Project, StoredEvent};
use crate::time::{format_time, now};
use crate::{StoreError, StoreResult};

pub(super) async fn append(
    conn: &mut AnyConnection,
    project: &Project,
    kind: &str,
    payload: serde_json::Value,
    actor: Option<&str>,
) -> StoreResult<StoredEvent> {
    let created_at = now();
    let stamp = format_time(created_at);
    let seq: Option<i64> = sqlx::query_scalar(
        "UPDATE projects SET last_seq = last_seq + 1, updated_at = $1 WHERE id = $2 \
         RETURNING last_seq",
    )
    .bind(&stamp)
    .bind(&project.id)
    .fetch_optional(&mut *conn)
    .await?;
    let seq = seq.ok_or(StoreError::NotFound("project"))?;
    sqlx::query(
        "INSERT INTO events (project_id, seq, kind, payload, actor, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&project.id)
    .bind(seq)
    .bind(kind)
    .bind(payload.to_string())
    .bind(actor)
    .bind(&stamp)
    .execute(&mut *conn)
    .await?;
    Ok(StoredEvent {
        project_id: project.id.clone(),
        project_name: project.name.clone(),
        seq,
        kind: kind.to_owned(),
        payload,
        actor: actor.map(str::to_owned),
        created_at,
    })
}

/// An event for [`append_many`].
pub(super) struct NewEvent<'a> {
    pub kind: &'a str,
    pub payload: serde_json::Value,
    pub actor: Option<&'a str>,
}

const _: () = assert!(ROWS_PER_STATEMENT * 3 + 2 <= MAX_BINDS);
/// Entry `n - 1` appends `n` events after the project's `last_seq` and bumps it by `n`: the
/// project is `$1`, the time `$2`, then kind, payload and actor of each event.
static APPENDS: LazyLock<Vec<String>> = LazyLock::new(|| {
    (1..=ROWS_PER_STATEMENT)
        .map(|n| {
            let rows = (0..n)
                .map(|i| {
                    format!(
                        "({}, ${}, ${}, ${})",
                        i + 1,
                        3 * i + 3,
                        3 * i + 4,
                        3 * i + 5
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "INSERT INTO events (project_id, seq, kind, payload, actor, created_at) \
                 SELECT p.id, p.last_seq + v.column1, v.column2, v.column3, v.column4, $2 \
                 FROM projects p, (VALUES {rows}) AS v WHERE p.id = $1; \
                 UPDATE projects SET last_seq = last_seq + {n}, updated_at = $2 WHERE id = $1 \
                 RETURNING last_seq"
            )
        })
        .collect()
});

/// Appends `events` to one project's log in their order, with consecutive sequence numbers:
/// each query of up to [`ROWS_PER_STATEMENT`] events inserts them numbered after `last_seq`
/// and bumps it once. SQLite only: the insert and the bump ride in one query, which sqlx's
/// SQLite driver runs in one call to the connection's thread (`$n` count across the query).
pub(super) async fn append_many(
    conn: &mut AnyConnection,
    project: &Project,
    events: Vec<NewEvent<'_>>,
) -> StoreResult<Vec<StoredEvent>> {
    let created_at = now();
    let stamp = format_time(created_at);
    let mut stored = Vec::with_capacity(events.len());
    let mut events = events.into_iter().peekable();
    while events.peek().is_some() {
        let chunk: Vec<NewEvent<'_>> = events.by_ref().take(ROWS_PER_STATEMENT).collect();
        let mut query = sqlx::query_scalar(&APPENDS[chunk.len() - 1])
            .bind(&project.id)
            .bind(&stamp);
        for event in &chunk {
            query = query
                .bind(event.kind)
                .bind(event.payload.to_string())
                .bind(event.actor);
        }
        // `fetch_all`, not `fetch_one`: the query must run to its end.
        let last: Vec<i64> = query.fetch_all(&mut *conn).await?;
        let last = last.first().ok_or(StoreError::NotFound("project"))?;
        let first = last - i64::try_from(chunk.len()).expect("a chunk holds a few events") + 1;
        stored.extend(
            chunk
                .into_iter()
                .zip(first..)
                .map(|(event, seq)| StoredEvent {
                    project_id: project.id.clone(),
                    project_name: project.name.clone(),
                    seq,
                    kind: event.kind.to_owned(),
                    payload: event.payload,
                    actor: event.actor.map(str::to_owned),
                    created_at,
                }),
        );
    }
    Ok(stored)
}

pub(super) async fn after(
    pool: &AnyPool,
    project: &Project,
    after_seq: i64,
    limit: i64,
) -> StoreResult<Vec<StoredEvent>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events e WHERE e.project_id = $1 AND e.seq > $2 \
         ORDER BY e.seq LIMIT $3"
    );
    let found = sqlx::query(&sql)
        .bind(&project.id)
        .bind(after_seq)
        .bind(limit)
        .fetch_all(pool)
        .await?;
    found
        .iter()
        .map(|row| rows::event(row, &project.name))
        .collect()
}

pub(super) async fn last_seq(pool: &AnyPool, project_id: &str) -> StoreResult<i64> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT last_seq FROM projects WHERE id = $1")
        .bind(project_id)
        .fetch_optional(pool)
        .await?;
    seq.ok_or(StoreError::NotFound("project"))
}
