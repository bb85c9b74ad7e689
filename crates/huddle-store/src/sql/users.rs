//! Users and their password hashes.

use sqlx::AnyPool;

use huddle_core::{AgentRole, UserKind};

use super::rows::{self, USER_COLUMNS};
use crate::model::{NewUser, User, UserCredentials};
use crate::time::{format_time, now};
use crate::{StoreError, StoreResult};

pub(super) async fn create(pool: &AnyPool, new: NewUser) -> StoreResult<User> {
    let user = User {
        id: uuid::Uuid::now_v7().to_string(),
        username: new.username,
        is_admin: new.is_admin,
        kind: UserKind::of(new.agent_role),
        agent_role: new.agent_role,
        created_at: now(),
    };
    sqlx::query(
        "INSERT INTO users (id, username, password_hash, is_admin, agent_role, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&user.id)
    .bind(&user.username)
    .bind(&new.password_hash)
    .bind(i64::from(user.is_admin))
    .bind(user.agent_role.map(AgentRole::as_str))
    .bind(format_time(user.created_at))
    .execute(pool)
    .await
    .map_err(|e| StoreError::from_insert(e, &format!("user '{}'", user.username)))?;
    Ok(user)
}

pub(super) async fn credentials(
    pool: &AnyPool,
    username: &str,
) -> StoreResult<Option<UserCredentials>> {
    let sql = format!("SELECT {USER_COLUMNS}, u.password_hash FROM users u WHERE u.username = $1");
    let row = sqlx::query(&sql)
        .bind(username)
        .fetch_optional(pool)
        .await?;
    row.map(|row| {
        Ok(UserCredentials {
            user: rows::user(&row)?,
            password_hash: sqlx::Row::try_get(&row, "password_hash")?,
        })
    })
    .transpose()
}

/// Looks a user up by `id` or `username` (the only two callers; never user input as column).
pub(super) async fn by_column(
    pool: &AnyPool,
    column: &'static str,
    value: &str,
) -> StoreResult<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.{column} = $1");
    let row = sqlx::query(&sql).bind(value).fetch_optional(pool).await?;
    row.as_ref().map(rows::user).transpose()
}

pub(super) async fn list(pool: &AnyPool) -> StoreResult<Vec<User>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.username");
    let found = sqlx::query(&sql).fetch_all(pool).await?;
    found.iter().map(rows::user).collect()
}

/// Sets the password and ends every login of the user (all refresh-token families) in the same
/// transaction: whoever knew the old password keeps nothing.
pub(super) async fn set_password(
    pool: &AnyPool,
    username: &str,
    password_hash: &str,
) -> StoreResult<()> {
    let mut tx = pool.begin().await?;
    let user_id: Option<String> =
        sqlx::query_scalar("UPDATE users SET password_hash = $1 WHERE username = $2 RETURNING id")
            .bind(password_hash)
            .bind(username)
            .fetch_optional(&mut *tx)
            .await?;
    let user_id = user_id.ok_or(StoreError::NotFound("user"))?;
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
    )
    .bind(format_time(now()))
    .bind(&user_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
