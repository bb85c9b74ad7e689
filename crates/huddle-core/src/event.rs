//! Kinds of entries in a project's event log. Each becomes a Socket.IO event of the same name,
//! carrying `seq`, so a client that reconnects can ask for exactly what it missed.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    ProjectCreated,
    MemberAdded,
    MemberRoleChanged,
    MemberRemoved,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::ProjectCreated => "project_created",
            EventKind::MemberAdded => "member_added",
            EventKind::MemberRoleChanged => "member_role_changed",
            EventKind::MemberRemoved => "member_removed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_match_their_serde_form() {
        for kind in [
            EventKind::ProjectCreated,
            EventKind::MemberAdded,
            EventKind::MemberRoleChanged,
            EventKind::MemberRemoved,
        ] {
            let json = serde_json::to_string(&kind).expect("serialises");
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
    }
}
