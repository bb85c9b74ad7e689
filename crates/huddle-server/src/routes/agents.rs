//! `GET /api/agents`: the agents that share a project with the caller (every agent, for an
//! admin), with their projects and whether they are in a project's chat now.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use huddle_core::AgentRole;
use serde::Serialize;

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::extract::Json;
use crate::realtime::ChatStatus;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/agents", get(list))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
enum AgentStatus {
    Offline,
    Idle,
    Online,
}

#[derive(Serialize)]
struct AgentView {
    user_id: String,
    username: String,
    agent_role: Option<AgentRole>,
    status: AgentStatus,
    projects: Vec<String>,
}

#[derive(Serialize)]
struct AgentList {
    agents: Vec<AgentView>,
    total_agents: usize,
    active_agents: usize,
}

async fn list(
    State(state): State<AppState>,
    caller: AuthUser,
) -> Result<Json<AgentList>, ApiError> {
    let viewer = (!caller.is_admin).then_some(caller.id.as_str());
    let mut agents: BTreeMap<String, AgentView> = BTreeMap::new();
    if caller.is_admin {
        for user in state.store.list_users().await? {
            if user.is_agent() {
                agents.insert(
                    user.username.clone(),
                    view(user.id, user.username, user.agent_role),
                );
            }
        }
    }
    for summary in state.store.list_projects(viewer).await? {
        let project = summary.project;
        let present = state.realtime.chat_presence(&project.name);
        for member in state.store.list_members(&project.id).await? {
            if member.agent_role.is_none() {
                continue;
            }
            let agent = agents.entry(member.username.clone()).or_insert_with(|| {
                view(member.user_id, member.username.clone(), member.agent_role)
            });
            agent.projects.push(project.name.clone());
            let here = match present.get(&member.username) {
                Some(ChatStatus::Online) => AgentStatus::Online,
                Some(ChatStatus::Idle) => AgentStatus::Idle,
                None => AgentStatus::Offline,
            };
            agent.status = agent.status.max(here);
        }
    }
    let agents: Vec<AgentView> = agents.into_values().collect();
    Ok(Json(AgentList {
        total_agents: agents.len(),
        active_agents: agents
            .iter()
            .filter(|a| a.status != AgentStatus::Offline)
            .count(),
        agents,
    }))
}

fn view(user_id: String, username: String, agent_role: Option<AgentRole>) -> AgentView {
    AgentView {
        user_id,
        username,
        agent_role,
        status: AgentStatus::Offline,
        projects: Vec::new(),
    }
}
