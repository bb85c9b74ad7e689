//! Direct messages between a person and an agent: opening one (socket `open_direct_message` and
//! `POST /api/projects/{name}/direct-messages`). Posting, history and read marks then go through
//! the ordinary chat service under the channel name `dm:{agent}:{user}`, which lets only the two
//! participants in.

use huddle_core::Permission;
use huddle_store::Channel;
use serde::Deserialize;

use super::service::{full_user, publish};
use crate::access::open_project;
use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::state::AppState;

/// Who to talk to: a person names the `agent`, an agent names the `user`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenDirect {
    pub agent: Option<String>,
    pub user: Option<String>,
}

/// The direct message between the caller and the other member, created on first use.
pub async fn open(
    state: &AppState,
    caller: &AuthUser,
    project: &str,
    req: OpenDirect,
) -> Result<Channel, ApiError> {
    let other =
        match (req.agent, req.user) {
            (Some(name), None) | (None, Some(name)) => name,
            _ => return Err(ApiError::bad_request(
                "invalid_direct_message",
                "name exactly one of agent (when a person opens it) or user (when an agent does)",
            )),
        };
    let access = open_project(state.store.as_ref(), caller, project, Permission::Write).await?;
    let not_member = || {
        ApiError::not_found(&format!("member '{other}'")).with_hint(
            "Direct messages are with members of this project; an admin adds agents with \
             `huddle agent add` and then as members.",
        )
    };
    let them = state
        .store
        .user_by_name(&other)
        .await?
        .ok_or_else(not_member)?;
    if state
        .store
        .member_role(&access.project.id, &them.id)
        .await?
        .is_none()
    {
        return Err(not_member());
    }
    let me = full_user(state, caller).await?;
    let (agent, person) = match (me.is_agent(), them.is_agent()) {
        (false, true) => (&them, &me),
        (true, false) => (&me, &them),
        _ => {
            return Err(ApiError::bad_request(
                "invalid_direct_message",
                "a direct message is between a person and an agent",
            )
            .with_hint("Talk to other people in a channel, and mention them with @name."))
        }
    };
    let (channel, created) = state
        .store
        .open_direct(&access.project, agent, person, &caller.username)
        .await?;
    publish(state, created);
    Ok(channel)
}
