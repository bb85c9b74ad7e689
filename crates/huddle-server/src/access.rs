//! Who may see or change a project. Every REST route and socket event that names a project goes
//! through [`open_project`]. Server admins may act on every project.

use huddle_core::{Permission, ProjectName, Role};
use huddle_store::{Project, Store};

use crate::auth::AuthUser;
use crate::error::ApiError;

/// A project the caller may use, with the caller's role in it.
#[derive(Debug, Clone)]
pub struct ProjectAccess {
    pub project: Project,
    /// `None` for server admins who are not members.
    pub role: Option<Role>,
}

pub async fn open_project(
    store: &dyn Store,
    user: &AuthUser,
    name: &str,
    need: Permission,
) -> Result<ProjectAccess, ApiError> {
    let not_found = || {
        ApiError::not_found(&format!("project '{name}'"))
            .with_hint("Check the name; GET /api/projects lists the projects you belong to.")
    };
    let name = ProjectName::parse(name).map_err(|_| not_found())?;
    let project = store.project(name.as_str()).await?.ok_or_else(not_found)?;
    let role = store.member_role(&project.id, &user.id).await?;
    let allowed = user.is_admin || role.is_some_and(|r| r.allows(need));
    if !allowed {
        let message = match role {
            None => format!("you are not a member of project '{}'", project.name),
            Some(role) => format!("a {role} of '{}' may not do this", project.name),
        };
        return Err(ApiError::forbidden(message)
            .with_hint("Ask a maintainer of the project to add you or raise your role."));
    }
    Ok(ProjectAccess { project, role })
}
