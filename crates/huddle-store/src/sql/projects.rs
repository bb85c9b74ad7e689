//! Projects and their members. Each change is written with its event in one transaction.

use huddle_core::{EventKind, Role};
use serde_json::json;
use sqlx::{AnyConnection, AnyPool, Row};

use super::events;
use super::rows::{self, PROJECT_COLUMNS};
use crate::model::{Member, Project, ProjectSummary, StoredEvent, User};
use crate::time::{format_time, now};
use crate::{StoreError, StoreResult};

/// Creates the project with its default channels; `owner` (who creates it) becomes its admin
/// member in the same transaction, so a new project always has someone who can run it.
pub(super) async fn create(
    pool: &AnyPool,
    name: &str,
    description: &str,
    owner: &User,
) -> StoreResult<(Project, StoredEvent)> {
    let created_at = now();
    let project = Project {
        id: uuid::Uuid::now_v7().to_string(),
        name: name.to_owned(),
        description: description.to_owned(),
        state: huddle_core::WorkflowState::Idle.as_str().to_owned(),
        last_seq: 0,
        created_at,
        updated_at: created_at,
    };
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO projects (id, name, description, state, last_seq, created_by, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, 0, $5, $6, $6)",
    )
    .bind(&project.id)
    .bind(&project.name)
    .bind(&project.description)
    .bind(&project.state)
    .bind(&owner.id)
    .bind(format_time(created_at))
    .execute(&mut *tx)
    .await
    .map_err(|e| StoreError::from_insert(e, &format!("project '{name}'")))?;
    sqlx::query(
        "INSERT INTO project_members (project_id, user_id, role, added_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&project.id)
    .bind(&owner.id)
    .bind(Role::Admin.as_str())
    .bind(format_time(created_at))
    .execute(&mut *tx)
    .await?;
    super::channels::create_defaults(&mut tx, &project).await?;
    let payload = json!({
        "name": name,
        "description": description,
        "owner": { "user_id": owner.id, "username": owner.username, "role": Role::Admin },
    });
    let event = events::append(
        &mut tx,
        &project,
        EventKind::ProjectCreated.as_str(),
        payload,
        Some(&owner.username),
    )
    .await?;
    tx.commit().await?;
    let project = Project {
        last_seq: event.seq,
        ..project
    };
    Ok((project, event))
}

pub(super) async fn by_name(pool: &AnyPool, name: &str) -> StoreResult<Option<Project>> {
    let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects p WHERE p.name = $1");
    let row = sqlx::query(&sql).bind(name).fetch_optional(pool).await?;
    row.as_ref().map(rows::project).transpose()
}

pub(super) async fn list(pool: &AnyPool, member: Option<&str>) -> StoreResult<Vec<ProjectSummary>> {
    let (sql, user_id) = match member {
        Some(user_id) => (
            format!(
                "SELECT {PROJECT_COLUMNS}, m.role FROM projects p \
                 JOIN project_members m ON m.project_id = p.id AND m.user_id = $1 ORDER BY p.name"
            ),
            user_id,
        ),
        None => (
            format!("SELECT {PROJECT_COLUMNS}, NULL AS role FROM projects p ORDER BY p.name"),
            "",
        ),
    };
    let mut query = sqlx::query(&sql);
    if member.is_some() {
        query = query.bind(user_id);
    }
    let found = query.fetch_all(pool).await?;
    found
        .iter()
        .map(|row| {
            let role: Option<String> = row.try_get("role")?;
            Ok(ProjectSummary {
                project: rows::project(row)?,
                role: role.as_deref().map(rows::role).transpose()?,
            })
        })
        .collect()
}

pub(super) async fn member_role(
    pool: &AnyPool,
    project_id: &str,
    user_id: &str,
) -> StoreResult<Option<Role>> {
    let role: Option<String> = sqlx::query_scalar(
        "SELECT role FROM project_members WHERE project_id = $1 AND user_id = $2",
    )
    .bind(project_id)
    .bind(user_id)
    .fetch_optional(pool)
    .await?;
    role.as_deref().map(rows::role).transpose()
}

pub(super) async fn members(pool: &AnyPool, project_id: &str) -> StoreResult<Vec<Member>> {
    let found = sqlx::query(
        "SELECT m.user_id, u.username, u.agent_role, m.role, m.added_at FROM project_members m \
         JOIN users u ON u.id = m.user_id WHERE m.project_id = $1 ORDER BY u.username",
    )
    .bind(project_id)
    .fetch_all(pool)
    .await?;
    found.iter().map(rows::member).collect()
}

pub(super) async fn put_member(
    pool: &AnyPool,
    project: &Project,
    user: &User,
    role: Role,
    actor: &User,
) -> StoreResult<(Member, StoredEvent)> {
    let added_at = now();
    let mut tx = pool.begin().await?;
    lock_project(&mut tx, project).await?;
    let previous: Option<String> = sqlx::query_scalar(
        "SELECT role FROM project_members WHERE project_id = $1 AND user_id = $2",
    )
    .bind(&project.id)
    .bind(&user.id)
    .fetch_optional(&mut *tx)
    .await?;
    let kind = match previous.as_deref() {
        Some(old) if old == role.as_str() => {
            return Err(StoreError::Conflict(format!(
                "{} already has the role {role} in {}",
                user.username, project.name
            )));
        }
        Some(old) => {
            if old == Role::Admin.as_str() {
                keep_an_admin(&mut tx, project, user, "demote").await?;
            }
            sqlx::query(
                "UPDATE project_members SET role = $1 WHERE project_id = $2 AND user_id = $3",
            )
            .bind(role.as_str())
            .bind(&project.id)
            .bind(&user.id)
            .execute(&mut *tx)
            .await?;
            EventKind::MemberRoleChanged
        }
        None => {
            sqlx::query(
                "INSERT INTO project_members (project_id, user_id, role, added_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(&project.id)
            .bind(&user.id)
            .bind(role.as_str())
            .bind(format_time(added_at))
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::from_insert(e, "membership"))?;
            EventKind::MemberAdded
        }
    };
    let payload = json!({
        "user_id": user.id,
        "username": user.username,
        "role": role,
        "previous_role": previous,
    });
    let event = events::append(
        &mut tx,
        project,
        kind.as_str(),
        payload,
        Some(&actor.username),
    )
    .await?;
    tx.commit().await?;
    let member = Member {
        user_id: user.id.clone(),
        username: user.username.clone(),
        role,
        kind: user.kind,
        agent_role: user.agent_role,
        added_at,
    };
    Ok((member, event))
}

pub(super) async fn remove_member(
    pool: &AnyPool,
    project: &Project,
    user: &User,
    actor: &User,
) -> StoreResult<StoredEvent> {
    let mut tx = pool.begin().await?;
    lock_project(&mut tx, project).await?;
    let role: Option<String> = sqlx::query_scalar(
        "SELECT role FROM project_members WHERE project_id = $1 AND user_id = $2",
    )
    .bind(&project.id)
    .bind(&user.id)
    .fetch_optional(&mut *tx)
    .await?;
    if role.as_deref() == Some(Role::Admin.as_str()) {
        keep_an_admin(&mut tx, project, user, "remove").await?;
    }
    let removed = sqlx::query("DELETE FROM project_members WHERE project_id = $1 AND user_id = $2")
        .bind(&project.id)
        .bind(&user.id)
        .execute(&mut *tx)
        .await?;
    if removed.rows_affected() != 1 {
        return Err(StoreError::NotFound("member"));
    }
    let payload = json!({ "user_id": user.id, "username": user.username });
    let event = events::append(
        &mut tx,
        project,
        EventKind::MemberRemoved.as_str(),
        payload,
        Some(&actor.username),
    )
    .await?;
    tx.commit().await?;
    Ok(event)
}

/// Takes the project's row lock (PostgreSQL; SQLite has a single writer) before membership is
/// read, so two racing demotions cannot both see a second admin.
async fn lock_project(conn: &mut AnyConnection, project: &Project) -> StoreResult<()> {
    let locked = sqlx::query("UPDATE projects SET last_seq = last_seq WHERE id = $1")
        .bind(&project.id)
        .execute(&mut *conn)
        .await?;
    if locked.rows_affected() != 1 {
        return Err(StoreError::NotFound("project"));
    }
    Ok(())
}

/// Refuses to demote or remove `user` when they are the project's only admin.
async fn keep_an_admin(
    conn: &mut AnyConnection,
    project: &Project,
    user: &User,
    what: &str,
) -> StoreResult<()> {
    let admins: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM project_members WHERE project_id = $1 AND role = $2",
    )
    .bind(&project.id)
    .bind(Role::Admin.as_str())
    .fetch_one(&mut *conn)
    .await?;
    if admins <= 1 {
        return Err(StoreError::Conflict(format!(
            "cannot {what} {}: they are the only admin of {}; make someone else an admin first",
            user.username, project.name
        )));
    }
    Ok(())
}
