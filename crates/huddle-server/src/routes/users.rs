//! Accounts over REST: `GET/POST /api/users`, `POST /api/users/{username}/password` (server
//! admins reset a password) and `POST /api/me/password` (anyone changes their own).

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use huddle_core::{AgentRole, Permission, UserKind};
use huddle_store::User;
use serde::{Deserialize, Serialize};

use crate::accounts::{self, Account};
use crate::auth::{verify_password, AuthUser, TokenPair};
use crate::error::ApiError;
use crate::extract::Json;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users", get(list).post(create))
        .route("/users/{username}/password", post(reset_password))
        .route("/me/password", post(change_own_password))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateUser {
    username: String,
    #[serde(default = "human")]
    kind: UserKind,
    agent_role: Option<AgentRole>,
    #[serde(default)]
    is_admin: bool,
}

fn human() -> UserKind {
    UserKind::Human
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangePassword {
    current_password: String,
    new_password: String,
}

#[derive(Serialize)]
struct UserList {
    users: Vec<User>,
}

/// A new account and its one-time password: shown once, stored nowhere but as a hash.
#[derive(Serialize)]
struct CreatedUser {
    user: User,
    password: String,
}

#[derive(Serialize)]
struct OneTimePassword {
    password: String,
}

fn admins_only(caller: &AuthUser, what: &str) -> Result<(), ApiError> {
    if caller.is_admin {
        return Ok(());
    }
    Err(
        ApiError::forbidden(format!("only server administrators can {what}"))
            .with_hint("Ask a server administrator."),
    )
}

/// Everyone who may add members somewhere needs the directory to pick from.
async fn list(State(state): State<AppState>, caller: AuthUser) -> Result<Json<UserList>, ApiError> {
    if !caller.is_admin {
        let manages_some = state
            .store
            .list_projects(Some(&caller.id))
            .await?
            .iter()
            .any(|p| p.role.is_some_and(|r| r.allows(Permission::ManageMembers)));
        if !manages_some {
            return Err(ApiError::forbidden(
                "only maintainers and administrators can list accounts",
            ));
        }
    }
    Ok(Json(UserList {
        users: state.store.list_users().await?,
    }))
}

async fn create(
    State(state): State<AppState>,
    caller: AuthUser,
    Json(body): Json<CreateUser>,
) -> Result<(StatusCode, Json<CreatedUser>), ApiError> {
    admins_only(&caller, "create accounts")?;
    let account = match (body.kind, body.agent_role, body.is_admin) {
        (UserKind::Human, None, admin) => Account::Person { admin },
        (UserKind::Agent, Some(role), false) => Account::Agent(role),
        (UserKind::Agent, None, _) => {
            return Err(
                ApiError::bad_request("invalid_agent_role", "an agent needs an agent_role")
                    .with_hint("One of orchestrator, design, code, qa, data."),
            )
        }
        (UserKind::Agent, Some(_), true) => {
            return Err(ApiError::bad_request(
                "invalid_account",
                "an agent cannot be a server administrator",
            ))
        }
        (UserKind::Human, Some(_), _) => {
            return Err(ApiError::bad_request(
                "invalid_account",
                "only agents have an agent_role",
            ))
        }
    };
    let password = accounts::random_password();
    let user = accounts::create(state.store.as_ref(), &body.username, &password, account).await?;
    tracing::info!(by = %caller.username, username = %user.username, "account created over the API");
    Ok((StatusCode::CREATED, Json(CreatedUser { user, password })))
}

async fn reset_password(
    State(state): State<AppState>,
    caller: AuthUser,
    Path(username): Path<String>,
) -> Result<Json<OneTimePassword>, ApiError> {
    admins_only(&caller, "reset passwords")?;
    let password = accounts::random_password();
    accounts::set_password(state.store.as_ref(), &username, &password).await?;
    if let Some(user) = state.store.user_by_name(&username).await? {
        state.sessions.end_all_of(&user.id, None);
    }
    Ok(Json(OneTimePassword { password }))
}

/// Checks the current password (throttled like a login), sets the new one — which ends every
/// session of the user — and starts a fresh one for the tab that asked.
async fn change_own_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    caller: AuthUser,
    Json(body): Json<ChangePassword>,
) -> Result<Json<TokenPair>, ApiError> {
    accounts::check_password(&body.new_password)?;
    let attempt = state
        .throttle
        .begin(peer.ip(), &caller.username)
        .map_err(|wait| {
            ApiError::too_many(
                "too_many_attempts",
                format!("too many password attempts; try again in {wait} s"),
                wait,
            )
        })?;
    let credentials = state
        .store
        .user_credentials(&caller.username)
        .await?
        .ok_or_else(|| ApiError::unauthorized("the account no longer exists"))?;
    if !verify_password(body.current_password, Some(credentials.password_hash)).await {
        attempt.failed();
        return Err(ApiError::forbidden("the current password is wrong")
            .with_code("wrong_password")
            .with_hint("Type the password you signed in with."));
    }
    attempt.succeeded();
    accounts::set_password(state.store.as_ref(), &caller.username, &body.new_password).await?;
    let fresh = state
        .sessions
        .start(state.store.as_ref(), credentials.user)
        .await?;
    state
        .sessions
        .end_all_of(&caller.id, Some(&fresh.session_id));
    Ok(Json(fresh))
}
