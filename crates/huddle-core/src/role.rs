//! Project roles and what each may do. Checked on every REST route and socket event.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A member's role in one project, from least to most trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Viewer,
    Contributor,
    Maintainer,
    Admin,
}

/// Things a member may do inside a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Read state, history and events.
    Read,
    /// Post messages and run commands.
    Write,
    /// Add and remove members.
    ManageMembers,
    /// Manage channels, pin and delete others' messages.
    Moderate,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Viewer,
        Role::Contributor,
        Role::Maintainer,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Contributor => "contributor",
            Role::Maintainer => "maintainer",
            Role::Admin => "admin",
        }
    }

    pub fn allows(self, permission: Permission) -> bool {
        match permission {
            Permission::Read => true,
            Permission::Write => self >= Role::Contributor,
            Permission::ManageMembers | Permission::Moderate => self >= Role::Maintainer,
        }
    }

    pub fn permissions(self) -> Vec<Permission> {
        [
            Permission::Read,
            Permission::Write,
            Permission::ManageMembers,
        ]
        .into_iter()
        .filter(|p| self.allows(*p))
        .collect()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text was not one of `viewer`, `contributor`, `maintainer`, `admin`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}': use viewer, contributor, maintainer or admin")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_text() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("owner".parse::<Role>().is_err());
    }

    #[test]
    fn permissions_grow_with_trust() {
        assert_eq!(Role::Viewer.permissions(), vec![Permission::Read]);
        assert!(!Role::Viewer.allows(Permission::Write));
        assert!(Role::Contributor.allows(Permission::Write));
        assert!(!Role::Contributor.allows(Permission::ManageMembers));
        assert!(Role::Maintainer.allows(Permission::ManageMembers));
        assert!(Role::Admin.allows(Permission::ManageMembers));
    }
}
