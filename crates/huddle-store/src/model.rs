//! Rows as the rest of the server sees them.

use chrono::{DateTime, Utc};
use huddle_core::{AgentRole, Role, UserKind};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: String,
    pub username: String,
    pub is_admin: bool,
    pub kind: UserKind,
    /// Set for agents, and only for them.
    pub agent_role: Option<AgentRole>,
    pub created_at: DateTime<Utc>,
}

impl User {
    pub fn is_agent(&self) -> bool {
        self.kind == UserKind::Agent
    }
}

/// A user with the password hash, only for verifying a login.
#[derive(Clone)]
pub struct UserCredentials {
    pub user: User,
    pub password_hash: String,
}

impl std::fmt::Debug for UserCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserCredentials")
            .field("user", &self.user)
            .field("password_hash", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub password_hash: String,
    pub is_admin: bool,
    /// `Some` creates an agent account.
    pub agent_role: Option<AgentRole>,
}

#[derive(Debug, Clone)]
pub struct NewRefreshToken {
    pub token_hash: String,
    /// Tokens minted by one login share a family; a replayed token revokes the family.
    pub family_id: String,
    pub user_id: String,
    pub expires_at: DateTime<Utc>,
}

/// Outcome of presenting a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshRotation {
    /// The token was live (or rotated within the grace period); the new token is stored in
    /// the same session (`family_id`) and belongs to `user_id`.
    Rotated {
        user_id: String,
        family_id: String,
    },
    /// The token had already been used or revoked: the session (`family_id`) is now revoked.
    Reused {
        family_id: String,
    },
    Expired,
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    pub id: String,
    pub name: String,
    pub description: String,
    pub state: String,
    pub last_seq: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A project in a listing, with the viewer's role in it (none for admins who are not members).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectSummary {
    pub project: Project,
    pub role: Option<Role>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub user_id: String,
    pub username: String,
    pub role: Role,
    pub kind: UserKind,
    pub agent_role: Option<AgentRole>,
    pub added_at: DateTime<Utc>,
}

/// One committed entry of a project's event log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredEvent {
    pub project_id: String,
    pub project_name: String,
    pub seq: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub actor: Option<String>,
    pub created_at: DateTime<Utc>,
}
