//! Workflow states of a project (DESIGN §4). The command matrix and transitions that move a
//! project between them belong to the workflow engine; here lives only the vocabulary the rest of
//! the system already stores and reports.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WorkflowState {
    Idle,
    BacklogReady,
    SprintPlanned,
    SprintActive,
    SprintPaused,
    SprintReview,
    Blocked,
}

impl WorkflowState {
    pub const ALL: [WorkflowState; 7] = [
        WorkflowState::Idle,
        WorkflowState::BacklogReady,
        WorkflowState::SprintPlanned,
        WorkflowState::SprintActive,
        WorkflowState::SprintPaused,
        WorkflowState::SprintReview,
        WorkflowState::Blocked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WorkflowState::Idle => "IDLE",
            WorkflowState::BacklogReady => "BACKLOG_READY",
            WorkflowState::SprintPlanned => "SPRINT_PLANNED",
            WorkflowState::SprintActive => "SPRINT_ACTIVE",
            WorkflowState::SprintPaused => "SPRINT_PAUSED",
            WorkflowState::SprintReview => "SPRINT_REVIEW",
            WorkflowState::Blocked => "BLOCKED",
        }
    }
}

impl fmt::Display for WorkflowState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown workflow state '{0}'")]
pub struct UnknownState(pub String);

impl FromStr for WorkflowState {
    type Err = UnknownState;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        WorkflowState::ALL
            .into_iter()
            .find(|w| w.as_str() == s)
            .ok_or_else(|| UnknownState(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_and_match_serde() {
        for state in WorkflowState::ALL {
            assert_eq!(state.as_str().parse::<WorkflowState>(), Ok(state));
            let json = serde_json::to_string(&state).expect("serialises");
            assert_eq!(json, format!("\"{}\"", state.as_str()));
        }
    }
}
