//! Changes to projects and memberships: each is committed with its event by the store, then the
//! event is published on the bus. Nothing reaches the bus that was not committed.

use huddle_core::{ProjectName, Role, Username};
use huddle_store::{Member, Project, User};

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

pub async fn put_member(
    state: &AppState,
    user: &AuthUser,
    project: &Project,
    username: &str,
    role: Role,
) -> Result<Member, ApiError> {
    let member = find_user(state, username).await?;
    let actor = actor(state, user).await?;
    let (member, event) = state
        .store
        .put_member(project, &member, role, &actor)
        .await?;
    state.bus.publish(event);
    Ok(member)
}

pub async fn remove_member(
    state: &AppState,
    user: &AuthUser,
    project: &Project,
    username: &str,
) -> Result<(), ApiError> {
    let member = find_user(state, username).await?;
    let actor = actor(state, user).await?;
    let event = state.store.remove_member(project, &member, &actor).await?;
    state.bus.publish(event);
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
