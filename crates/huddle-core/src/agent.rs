//! Agents: the roles they play (seed 001) and how their accounts are told apart from people's.
//!
//! An agent is a user account with a role. It logs in, joins projects as a member and chats like
//! anyone else; its messages carry `author_type: "agent"`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Whether an account belongs to a person or to an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserKind {
    Human,
    Agent,
}

impl UserKind {
    /// Agents are the accounts that have a role.
    pub fn of(agent_role: Option<AgentRole>) -> Self {
        if agent_role.is_some() {
            UserKind::Agent
        } else {
            UserKind::Human
        }
    }
}

/// The roles agents play in a project (seed 001).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentRole {
    Orchestrator,
    Design,
    Code,
    Qa,
    Data,
}

impl AgentRole {
    pub const ALL: [AgentRole; 5] = [
        AgentRole::Orchestrator,
        AgentRole::Design,
        AgentRole::Code,
        AgentRole::Qa,
        AgentRole::Data,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AgentRole::Orchestrator => "orchestrator",
            AgentRole::Design => "design",
            AgentRole::Code => "code",
            AgentRole::Qa => "qa",
            AgentRole::Data => "data",
        }
    }
}

impl FromStr for AgentRole {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Self, UnknownRole> {
        AgentRole::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// A role name that is not one of [`AgentRole::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown agent role '{0}'; use orchestrator, design, code, qa or data")]
pub struct UnknownRole(pub String);

impl fmt::Display for AgentRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_parse_back() {
        for role in AgentRole::ALL {
            assert_eq!(role.as_str().parse::<AgentRole>(), Ok(role));
        }
        assert!("coder".parse::<AgentRole>().is_err());
    }

    #[test]
    fn role_names_match_serde() {
        for role in AgentRole::ALL {
            let json = serde_json::to_string(&role).expect("serialises");
            assert_eq!(json, format!("\"{role}\""));
        }
    }
}
