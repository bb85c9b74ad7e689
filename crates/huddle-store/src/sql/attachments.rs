//! Uploaded files: metadata rows (the bytes live on disk, named by id) and their link to the
//! message that carries them.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

use crate::chat::{Attachment, NewAttachment, StoredAttachment, StoredUploads};
use crate::time::{format_time, now};
use crate::{Backend, StoreError, StoreResult};

const COLUMNS: &str =
    "a.id, a.file_name, a.content_type, a.size, a.width, a.height, a.has_thumbnail";

fn attachment(row: &AnyRow) -> StoreResult<Attachment> {
    let id: String = row.try_get("id")?;
    let has_thumbnail: i64 = row.try_get("has_thumbnail")?;
    Ok(Attachment {
        url: format!("/api/attachments/{id}"),
        thumbnail_url: (has_thumbnail != 0).then(|| format!("/api/attachments/{id}/thumbnail")),
        attachment_id: id,
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        size: row.try_get("size")?,
        width: row.try_get("width")?,
        height: row.try_get("height")?,
    })
}

pub(super) async fn insert(pool: &AnyPool, new: NewAttachment) -> StoreResult<Attachment> {
    let mut conn = pool.acquire().await?;
    insert_with(&mut conn, &new).await
}

async fn insert_with(conn: &mut AnyConnection, new: &NewAttachment) -> StoreResult<Attachment> {
    sqlx::query(
        "INSERT INTO attachments (id, project_id, uploader_id, file_name, content_type, size, width, \
         height, has_thumbnail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&new.id)
    .bind(&new.project_id)
    .bind(&new.uploader_id)
    .bind(&new.file_name)
    .bind(&new.content_type)
    .bind(new.size)
    .bind(new.width)
    .bind(new.height)
    .bind(i64::from(new.has_thumbnail))
    .bind(format_time(now()))
    .execute(&mut *conn)
    .await?;
    by_id_with(conn, &new.id)
        .await?
        .map(|s| s.attachment)
        .ok_or(StoreError::NotFound("attachment"))
}

/// Stores one uploader's batch in one transaction, or nothing when their unclaimed bytes would
/// pass `max_pending_bytes`. Batches of one uploader never overlap: PostgreSQL locks the
/// uploader's row first; SQLite writes through a single connection, so its transactions are
/// serial already. The sum therefore counts every batch committed before this one.
pub(super) async fn insert_within_quota(
    pool: &AnyPool,
    backend: Backend,
    batch: Vec<NewAttachment>,
    max_pending_bytes: i64,
) -> StoreResult<StoredUploads> {
    let Some(uploader) = batch.first().map(|a| a.uploader_id.clone()) else {
        return Ok(StoredUploads::Stored(Vec::new()));
    };
    if batch.iter().any(|a| a.uploader_id != uploader) {
        return Err(StoreError::Rejected {
            code: "invalid_attachment",
            message: "one batch of uploads has one uploader".into(),
        });
    }
    let mut tx = pool.begin().await?;
    if backend == Backend::Postgres {
        sqlx::query("SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE")
            .bind(&uploader)
            .fetch_optional(&mut *tx)
            .await?;
    }
    let pending: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM attachments \
         WHERE uploader_id = $1 AND message_id IS NULL",
    )
    .bind(&uploader)
    .fetch_one(&mut *tx)
    .await?;
    let adding: i64 = batch.iter().map(|a| a.size).sum();
    if pending.saturating_add(adding) > max_pending_bytes {
        return Ok(StoredUploads::OverQuota {
            pending_bytes: pending,
        });
    }
    let mut stored = Vec::with_capacity(batch.len());
    for new in &batch {
        stored.push(insert_with(&mut tx, new).await?);
    }
    tx.commit().await?;
    Ok(StoredUploads::Stored(stored))
}

/// Forgets an upload of `uploader_id` that no message uses; false when there is no such upload.
pub(super) async fn delete_pending(
    pool: &AnyPool,
    id: &str,
    uploader_id: &str,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "DELETE FROM attachments WHERE id = $1 AND uploader_id = $2 AND message_id IS NULL",
    )
    .bind(id)
    .bind(uploader_id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn by_id(pool: &AnyPool, id: &str) -> StoreResult<Option<StoredAttachment>> {
    let mut conn = pool.acquire().await?;
    by_id_with(&mut conn, id).await
}

async fn by_id_with(conn: &mut AnyConnection, id: &str) -> StoreResult<Option<StoredAttachment>> {
    let sql = format!(
        "SELECT {COLUMNS}, p.name AS project_name, a.uploader_id, a.message_id FROM attachments a \
         JOIN projects p ON p.id = a.project_id WHERE a.id = $1"
    );
    let row = sqlx::query(&sql).bind(id).fetch_optional(conn).await?;
    row.map(|row| {
        Ok(StoredAttachment {
            attachment: attachment(&row)?,
            project_name: row.try_get("project_name")?,
            uploader_id: row.try_get("uploader_id")?,
            message_id: row.try_get("message_id")?,
        })
    })
    .transpose()
}

/// Gives the uploads `ids` to `message_id`; each must be the author's, in the project, unclaimed.
pub(super) async fn claim(
    conn: &mut AnyConnection,
    ids: &[String],
    message_id: &str,
    project_id: &str,
    author_id: &str,
) -> StoreResult<()> {
    for id in ids {
        let done = sqlx::query(
            "UPDATE attachments SET message_id = $1 WHERE id = $2 AND project_id = $3 \
             AND uploader_id = $4 AND message_id IS NULL",
        )
        .bind(message_id)
        .bind(id)
        .bind(project_id)
        .bind(author_id)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Rejected {
                code: "invalid_attachment",
                message: format!(
                    "attachment {id} is not an unused upload of yours in this project"
                ),
            });
        }
    }
    Ok(())
}

/// Attachments of the given messages, in upload order.
pub(super) async fn of_messages(
    conn: &mut AnyConnection,
    ids: &[&str],
) -> StoreResult<HashMap<String, Vec<Attachment>>> {
    let mut found: HashMap<String, Vec<Attachment>> = HashMap::new();
    if ids.is_empty() {
        return Ok(found);
    }
    let marks = (1..=ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT {COLUMNS}, a.message_id FROM attachments a WHERE a.message_id IN ({marks}) ORDER BY a.id");
    let mut query = sqlx::query(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    for row in query.fetch_all(conn).await? {
        found
            .entry(row.try_get("message_id")?)
            .or_default()
            .push(attachment(&row)?);
    }
    Ok(found)
}

/// Removes uploads that no message claimed before `older_than`; returns their ids so the caller
/// can delete the files.
pub(super) async fn delete_unclaimed(
    pool: &AnyPool,
    older_than: chrono::DateTime<chrono::Utc>,
) -> StoreResult<Vec<String>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "DELETE FROM attachments WHERE message_id IS NULL AND created_at < $1 RETURNING id",
    )
    .bind(format_time(older_than))
    .fetch_all(pool)
    .await?;
    Ok(ids)
}
