//! Changes to projects and memberships: each is committed with its event by the store, then the
//! event is published on the bus. Nothing reaches the bus that was not committed.

use huddle_core::{ProjectName, Role, Username};
use huddle_store::{Member, Project, User};

use crate::access::ProjectAccess;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

async fn actor(state: &AppState, user: &AuthUser) -> Result<User, ApiError> {
    state
        .store
        .user_by_id(&user.id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("the account no longer exists"))
}

pub async fn create_project(
    state: &AppState,
    user: &AuthUser,
    name: &str,
    description: &str,
) -> Result<Project, ApiError> {
    if !user.is_admin {
        return Err(ApiError::forbidden(
            "only administrators can create projects",
        ));
    }
    let name = ProjectName::parse(name)?;
    if description.chars().count() > 2000 {
        return Err(ApiError::bad_request(
            "invalid_description",
            "description is longer than 2000 characters",
        ));
    }
    let actor = actor(state, user).await?;
    let (project, event) = state
        .store
        .create_project(name.as_str(), description, &actor)
        .await?;
    state.bus.publish(event);
    Ok(project)
}

/// Adds a member or changes their role. Admins are the project's owners: only a project or
/// server admin makes someone an admin or changes or removes an admin; the store keeps the
/// last admin from being demoted or removed by anyone.
pub async fn put_member(
    state: &AppState,
    user: &AuthUser,
    access: &ProjectAccess,
    username: &str,
    role: Role,
) -> Result<Member, ApiError> {
    let member = find_user(state, username).await?;
    if role == Role::Admin {
        require_project_admin(user, access, "make someone an admin")?;
    }
    protect_admin(state, user, access, &member).await?;
    let actor = actor(state, user).await?;
    let (member, event) = state
        .store
        .put_member(&access.project, &member, role, &actor)
        .await?;
    state.bus.publish(event);
    Ok(member)
}

pub async fn remove_member(
    state: &AppState,
    user: &AuthUser,
    access: &ProjectAccess,
    username: &str,
) -> Result<(), ApiError> {
    let member = find_user(state, username).await?;
    protect_admin(state, user, access, &member).await?;
    let actor = actor(state, user).await?;
    let event = state
        .store
        .remove_member(&access.project, &member, &actor)
        .await?;
    state.bus.publish(event);
    Ok(())
}

fn require_project_admin(
    user: &AuthUser,
    access: &ProjectAccess,
    what: &str,
) -> Result<(), ApiError> {
    if user.is_admin || access.role == Some(Role::Admin) {
        return Ok(());
    }
    Err(
        ApiError::forbidden(format!("only the project's admins can {what}"))
            .with_hint("Ask an admin of the project."),
    )
}

/// A maintainer manages contributors and viewers, never an admin.
async fn protect_admin(
    state: &AppState,
    user: &AuthUser,
    access: &ProjectAccess,
    member: &User,
) -> Result<(), ApiError> {
    let current = state
        .store
        .member_role(&access.project.id, &member.id)
        .await?;
    if current == Some(Role::Admin) {
        require_project_admin(user, access, "change or remove an admin")?;
    }
    Ok(())
}

async fn find_user(state: &AppState, username: &str) -> Result<User, ApiError> {
    let not_found = || ApiError::not_found(&format!("user '{username}'"));
    let name = Username::parse(username).map_err(|_| not_found())?;
    state
        .store
        .user_by_name(name.as_str())
        .await?
        .ok_or_else(not_found)
}
