//! Turning `AnyRow`s into model types. Column lists live next to the mappers that read them.

use huddle_core::{AgentRole, Role, UserKind};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::model::{Member, Project, StoredEvent, User};
use crate::time::parse_time;
use crate::{StoreError, StoreResult};

pub(super) const USER_COLUMNS: &str = "u.id, u.username, u.is_admin, u.agent_role, u.created_at";
pub(super) const PROJECT_COLUMNS: &str =
    "p.id, p.name, p.description, p.state, p.last_seq, p.created_at, p.updated_at";
pub(super) const EVENT_COLUMNS: &str =
    "e.project_id, e.seq, e.kind, e.payload, e.actor, e.created_at";

/// The optional `agent_role` column.
fn agent_role(row: &AnyRow) -> StoreResult<Option<AgentRole>> {
    let role: Option<String> = row.try_get("agent_role")?;
    role.map(|r| {
        r.parse()
            .map_err(|e: huddle_core::agent::UnknownRole| StoreError::Corrupt(e.to_string()))
    })
    .transpose()
}

pub(super) fn user(row: &AnyRow) -> StoreResult<User> {
    let agent_role = agent_role(row)?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        is_admin: row.try_get::<i64, _>("is_admin")? != 0,
        kind: UserKind::of(agent_role),
        agent_role,
        created_at: parse_time(&row.try_get::<String, _>("created_at")?)?,
    })
}

pub(super) fn project(row: &AnyRow) -> StoreResult<Project> {
    Ok(Project {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        state: row.try_get("state")?,
        last_seq: row.try_get("last_seq")?,
        created_at: parse_time(&row.try_get::<String, _>("created_at")?)?,
        updated_at: parse_time(&row.try_get::<String, _>("updated_at")?)?,
    })
}

pub(super) fn role(text: &str) -> StoreResult<Role> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("{e}")))
}

pub(super) fn member(row: &AnyRow) -> StoreResult<Member> {
    let agent_role = agent_role(row)?;
    Ok(Member {
        kind: UserKind::of(agent_role),
        agent_role,
        user_id: row.try_get("user_id")?,
        username: row.try_get("username")?,
        role: role(&row.try_get::<String, _>("role")?)?,
        added_at: parse_time(&row.try_get::<String, _>("added_at")?)?,
    })
}

pub(super) fn event(row: &AnyRow, project_name: &str) -> StoreResult<StoredEvent> {
    let payload: String = row.try_get("payload")?;
    Ok(StoredEvent {
        project_id: row.try_get("project_id")?,
        project_name: project_name.to_owned(),
        seq: row.try_get("seq")?,
        kind: row.try_get("kind")?,
        payload: serde_json::from_str(&payload)
            .map_err(|e| StoreError::Corrupt(format!("event payload: {e}")))?,
        actor: row.try_get("actor")?,
        created_at: parse_time(&row.try_get::<String, _>("created_at")?)?,
    })
}
