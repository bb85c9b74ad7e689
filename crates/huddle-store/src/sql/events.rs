//! The per-project event log. A sequence number is taken by bumping `projects.last_seq` inside
//! the writing transaction: the row lock (PostgreSQL) or the single writer (SQLite) serialises
//! writers of one project, a rollback gives the number back, so sequences are gap-free and
//! commit in order.

use sqlx::{AnyConnection, AnyPool};

use super::rows::{self, EVENT_COLUMNS};
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
