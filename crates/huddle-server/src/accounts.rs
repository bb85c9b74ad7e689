//! Accounts: creating people and agents, and setting passwords. The admin CLI and the REST
//! routes both come here, so the rules (names, password length, every login ended by a
//! password change) are written once.

use base64::Engine;
use huddle_core::{AgentRole, Username};
use huddle_store::{NewUser, Store, User};
use rand::RngCore;

use crate::auth::hash_password;
use crate::error::ApiError;

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 256;

/// What kind of account [`create`] makes.
#[derive(Debug, Clone, Copy)]
pub enum Account {
    Person { admin: bool },
    Agent(AgentRole),
}

/// A password nobody chose: 24 URL-safe characters (144 random bits), shown to whoever created
/// the account once.
pub fn random_password() -> String {
    let mut bytes = [0u8; 18];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn check_password(password: &str) -> Result<(), ApiError> {
    let chars = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars) {
        return Err(ApiError::bad_request(
            "invalid_password",
            format!(
                "passwords need {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters; this one has {chars}"
            ),
        ));
    }
    Ok(())
}

pub async fn create(
    store: &dyn Store,
    name: &str,
    password: &str,
    account: Account,
) -> Result<User, ApiError> {
    let username = Username::parse(name).map_err(|e| {
        ApiError::bad_request("invalid_username", e.to_string()).with_hint(format!(
            "Use 1–{} of a-z, 0-9, '-' and '_', starting with a letter or digit.",
            Username::MAX_LEN
        ))
    })?;
    check_password(password)?;
    let password_hash = hash_password(password.to_owned())
        .await
        .map_err(ApiError::internal)?;
    let user = store
        .create_user(NewUser {
            username: username.to_string(),
            password_hash,
            is_admin: matches!(account, Account::Person { admin: true }),
            agent_role: match account {
                Account::Agent(role) => Some(role),
                Account::Person { .. } => None,
            },
        })
        .await
        .map_err(|e| match e {
            huddle_store::StoreError::Conflict(_) => {
                ApiError::conflict(format!("the name '{username}' is taken"))
                    .with_hint("Choose another username.")
            }
            other => other.into(),
        })?;
    tracing::info!(username = %user.username, kind = ?user.kind, "account created");
    Ok(user)
}

/// Sets `name`'s password; every refresh token of theirs is revoked in the same transaction.
pub async fn set_password(store: &dyn Store, name: &str, password: &str) -> Result<(), ApiError> {
    check_password(password)?;
    let password_hash = hash_password(password.to_owned())
        .await
        .map_err(ApiError::internal)?;
    store
        .set_password(name, &password_hash)
        .await
        .map_err(|e| match e {
            huddle_store::StoreError::NotFound(_) => ApiError::not_found(&format!("user '{name}'")),
            other => other.into(),
        })?;
    tracing::info!(username = %name, "password changed; every session of the user ended");
    Ok(())
}
