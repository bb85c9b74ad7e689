//! Administrative subcommands that work on the store directly, also while a server runs on the
//! same data.

use anyhow::Context;
use huddle_core::ProjectName;
use huddle_store::Store;

use crate::accounts;
pub use crate::accounts::Account;

pub async fn user_add(
    store: &dyn Store,
    name: &str,
    password: String,
    account: Account,
) -> anyhow::Result<String> {
    let user = accounts::create(store, name, &password, account).await?;
    Ok(match account {
        Account::Person { admin } => format!(
            "created user {}{}",
            user.username,
            if admin { " (admin)" } else { "" }
        ),
        Account::Agent(role) => format!(
            "created agent {} ({role}); add it to a project in the web UI (Members) or with \
             `POST /api/projects/NAME/members {{\"username\": \"{}\", \"role\": \"contributor\"}}`",
            user.username, user.username
        ),
    })
}

/// Changes a password; every login of that user ends (their refresh tokens are revoked).
pub async fn user_passwd(
    store: &dyn Store,
    name: &str,
    password: String,
) -> anyhow::Result<String> {
    accounts::set_password(store, name, &password).await?;
    Ok(format!(
        "password of {name} changed; their sessions were ended"
    ))
}

pub async fn agent_list(store: &dyn Store) -> anyhow::Result<String> {
    let lines: Vec<String> = store
        .list_users()
        .await?
        .into_iter()
        .filter_map(|u| {
            let role = u.agent_role?;
            Some(format!("{}\t{role}\t{}", u.username, u.created_at))
        })
        .collect();
    Ok(if lines.is_empty() {
        "no agents yet; create one with `huddle agent add NAME --role ROLE`".to_owned()
    } else {
        lines.join("\n")
    })
}

pub async fn user_list(store: &dyn Store) -> anyhow::Result<String> {
    let lines: Vec<String> = store
        .list_users()
        .await?
        .into_iter()
        .map(|u| {
            format!(
                "{}\t{}\t{}",
                u.username,
                match (u.agent_role, u.is_admin) {
                    (Some(role), _) => format!("agent:{role}"),
                    (None, true) => "admin".to_owned(),
                    (None, false) => "user".to_owned(),
                },
                u.created_at
            )
        })
        .collect();
    Ok(lines.join("\n"))
}

/// Creates a project; `owner` (default: the first admin) becomes its admin member.
pub async fn project_add(
    store: &dyn Store,
    name: &str,
    description: &str,
    owner: Option<&str>,
) -> anyhow::Result<String> {
    let name = ProjectName::parse(name)?;
    let owner = match owner {
        Some(owner) => store
            .user_by_name(owner)
            .await?
            .with_context(|| format!("no user named '{owner}'"))?,
        None => store
            .list_users()
            .await?
            .into_iter()
            .find(|u| u.is_admin)
            .context(
            "there is no admin user yet; run `huddle serve` once or `huddle user add NAME --admin`",
        )?,
    };
    let (project, _) = store
        .create_project(name.as_str(), description, &owner)
        .await?;
    Ok(format!(
        "created project {} with {} as admin",
        project.name, owner.username
    ))
}

pub async fn project_list(store: &dyn Store) -> anyhow::Result<String> {
    let lines: Vec<String> = store
        .list_projects(None)
        .await?
        .into_iter()
        .map(|s| {
            format!(
                "{}\t{}\tseq {}\t{}",
                s.project.name, s.project.state, s.project.last_seq, s.project.description
            )
        })
        .collect();
    Ok(lines.join("\n"))
}
