//! First-start duties: the data directory, the store and its migrations, the first admin.

use std::sync::Arc;

use anyhow::Context;
use huddle_store::{connect, ConnectOptions, NewUser, Store};

use crate::auth::hash_password;
use crate::config::Config;

/// The `admin` account made on first start; `password` is set when it was generated and must
/// be shown to the operator once.
#[derive(Debug)]
pub struct AdminCreated {
    pub username: String,
    pub generated_password: Option<String>,
}

/// Creates the data directory (private to the owner) if needed.
pub fn ensure_data_dir(config: &Config) -> anyhow::Result<()> {
    let dir = &config.data_dir;
    std::fs::create_dir_all(dir).with_context(|| format!("creating data dir {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
    }
    Ok(())
}

/// Opens the configured store, running migrations.
pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    ensure_data_dir(config)?;
    let url = config.effective_database_url();
    let options = ConnectOptions {
        url,
        max_connections: config.database.max_connections,
        migrate: true,
    };
    connect(&options)
        .await
        .context("opening the database (check DATABASE_URL)")
}

/// Creates `admin` when the store has no users at all.
pub async fn ensure_admin(
    store: &dyn Store,
    config: &Config,
) -> anyhow::Result<Option<AdminCreated>> {
    if !store.list_users().await?.is_empty() {
        return Ok(None);
    }
    let (password, generated) = match &config.admin_password {
        Some(secret) => (secret.expose().to_owned(), false),
        None => (crate::accounts::random_password(), true),
    };
    let password_hash = hash_password(password.clone()).await?;
    let admin = NewUser {
        username: "admin".into(),
        password_hash,
        is_admin: true,
        agent_role: None,
    };
    match store.create_user(admin).await {
        Ok(_) => {}
        // Another process created it in the meantime: that one reports it.
        Err(huddle_store::StoreError::Conflict(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    tracing::info!("created the admin user");
    Ok(Some(AdminCreated {
        username: "admin".into(),
        generated_password: generated.then_some(password),
    }))
}
