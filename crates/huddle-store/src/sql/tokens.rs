//! Refresh tokens: stored hashed, rotated on every use, revoked by family on replay.

use sqlx::{AnyPool, Row};

use super::rows::{self, USER_COLUMNS};
use crate::model::{NewRefreshToken, RefreshRotation, User};
use crate::time::{format_time, now, parse_time};
use crate::StoreResult;

pub(super) async fn insert(pool: &AnyPool, token: NewRefreshToken) -> StoreResult<()> {
    let mut conn = pool.acquire().await?;
    insert_with(&mut conn, &token).await
}

async fn insert_with(conn: &mut sqlx::AnyConnection, token: &NewRefreshToken) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO refresh_tokens (id, token_hash, family_id, user_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&token.token_hash)
    .bind(&token.family_id)
    .bind(&token.user_id)
    .bind(format_time(now()))
    .bind(format_time(token.expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn rotate(
    pool: &AnyPool,
    presented_hash: &str,
    mut next: NewRefreshToken,
    grace: chrono::Duration,
) -> StoreResult<RefreshRotation> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query(
        "SELECT id, family_id, user_id, expires_at, rotated_at, revoked_at \
         FROM refresh_tokens WHERE token_hash = $1",
    )
    .bind(presented_hash)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(RefreshRotation::Unknown);
    };
    let id: String = row.try_get("id")?;
    let family_id: String = row.try_get("family_id")?;
    let user_id: String = row.try_get("user_id")?;
    let rotated: Option<String> = row.try_get("rotated_at")?;
    let revoked: Option<String> = row.try_get("revoked_at")?;
    let now_text = format_time(now());
    let expired = parse_time(&row.try_get::<String, _>("expires_at")?)? <= now();
    let rotated_just_now = match &rotated {
        Some(at) => now() - parse_time(at)? < grace,
        None => false,
    };

    // A rotated token is a replay unless it was rotated just now (and is still valid).
    let replayed = rotated.is_some() && (expired || !rotated_just_now);
    if revoked.is_some() || replayed {
        revoke_family(&mut tx, &family_id, &now_text).await?;
        tx.commit().await?;
        return Ok(RefreshRotation::Reused { family_id });
    }
    if expired {
        return Ok(RefreshRotation::Expired);
    }
    if rotated_just_now {
        // The same token twice within the grace period (two tabs refreshing at once): the
        // second gets its own successor in the same, still live, session.
        next.family_id = family_id.clone();
        next.user_id = user_id.clone();
        insert_with(&mut tx, &next).await?;
        tx.commit().await?;
        return Ok(RefreshRotation::Rotated { user_id, family_id });
    }
    // Guarded: of two racing refreshes with the same token, only one can rotate it.
    let claimed = sqlx::query(
        "UPDATE refresh_tokens SET rotated_at = $1 \
         WHERE id = $2 AND rotated_at IS NULL AND revoked_at IS NULL",
    )
    .bind(&now_text)
    .bind(&id)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() != 1 {
        revoke_family(&mut tx, &family_id, &now_text).await?;
        tx.commit().await?;
        return Ok(RefreshRotation::Reused { family_id });
    }
    next.family_id = family_id.clone();
    next.user_id = user_id.clone();
    insert_with(&mut tx, &next).await?;
    tx.commit().await?;
    Ok(RefreshRotation::Rotated { user_id, family_id })
}

async fn revoke_family(
    conn: &mut sqlx::AnyConnection,
    family_id: &str,
    now_text: &str,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL",
    )
    .bind(now_text)
    .bind(family_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn revoke_family_of(
    pool: &AnyPool,
    token_hash: &str,
) -> StoreResult<Option<String>> {
    let mut tx = pool.begin().await?;
    let family: Option<String> =
        sqlx::query_scalar("SELECT family_id FROM refresh_tokens WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(family_id) = &family {
        revoke_family(&mut tx, family_id, &format_time(now())).await?;
    }
    tx.commit().await?;
    Ok(family)
}

pub(super) async fn session_user(pool: &AnyPool, family_id: &str) -> StoreResult<Option<User>> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM refresh_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.family_id = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 LIMIT 1"
    );
    let row = sqlx::query(&sql)
        .bind(family_id)
        .bind(format_time(now()))
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(rows::user).transpose()
}
