//! Agent roles and the executors that will run them (DESIGN §5).
//!
//! This crate is the seam for the agents capability: the vocabulary is fixed here so that the
//! store, the workflow engine and the UI agree on names; the executors themselves (process
//! groups, output normalisation, worktrees) arrive with the agents issue.

use std::fmt;

use serde::{Deserialize, Serialize};

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

impl fmt::Display for AgentRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_match_serde() {
        for role in AgentRole::ALL {
            let json = serde_json::to_string(&role).expect("serialises");
            assert_eq!(json, format!("\"{role}\""));
        }
    }
}
