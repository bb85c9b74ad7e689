//! Sessions: logging in, refreshing and logging out, the token pairs handed to clients, and
//! the check that an access token's session is still live. Every way a session ends is
//! announced on [`Sessions::ended`], where the realtime side closes that session's sockets.

use base64::Engine;
use chrono::Duration;
use huddle_store::{NewRefreshToken, RefreshRotation, Store, User};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tokio::sync::broadcast;

use super::guard::SessionGuard;
use super::jwt::{unix_now, Claims, JwtKeys};
use super::AuthUser;
use crate::error::ApiError;

/// What `/auth/login` and `/auth/refresh` return.
#[derive(Debug, Serialize)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    pub user: User,
    /// The session the pair belongs to (inside the access token too).
    #[serde(skip)]
    pub session_id: String,
}

/// A session, or all of a user's sessions, just ended: their sockets are closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// Logout, or a replayed refresh token.
    Session(String),
    /// A password change: every session of the user but `keep` (the one that changed it).
    User {
        user_id: String,
        keep: Option<String>,
    },
}

pub struct Sessions {
    pub keys: JwtKeys,
    pub refresh_ttl: Duration,
    /// A refresh token used again this soon after its rotation is not a replay.
    pub refresh_grace: Duration,
    pub guard: SessionGuard,
    ended: broadcast::Sender<Ended>,
}

impl Sessions {
    pub fn new(
        keys: JwtKeys,
        refresh_ttl: Duration,
        refresh_grace: Duration,
        guard: SessionGuard,
    ) -> Sessions {
        Sessions {
            keys,
            refresh_ttl,
            refresh_grace,
            guard,
            ended: broadcast::channel(256).0,
        }
    }

    /// Ended sessions, as they end on this node.
    pub fn ended(&self) -> broadcast::Receiver<Ended> {
        self.ended.subscribe()
    }

    /// Starts a new token family (session) for `user`.
    pub async fn start(&self, store: &dyn Store, user: User) -> Result<TokenPair, ApiError> {
        let session_id = uuid::Uuid::now_v7().to_string();
        let (token, record) = self.new_refresh(session_id.clone(), &user.id);
        store.insert_refresh_token(record).await?;
        self.pair(user, token, session_id)
    }

    /// The caller an access token proves: signed by us, not expired, its session live, and the
    /// user's rights as the store has them now (not as the token claims).
    pub async fn caller(&self, store: &dyn Store, token: &str) -> Result<AuthUser, ApiError> {
        let claims = self
            .keys
            .verify(token)
            .ok_or_else(|| ApiError::unauthorized("access token is invalid or expired"))?;
        self.caller_of(store, claims).await
    }

    async fn caller_of(&self, store: &dyn Store, claims: Claims) -> Result<AuthUser, ApiError> {
        let user = self
            .guard
            .user(store, &claims.sid)
            .await?
            .filter(|user| user.id == claims.sub)
            .ok_or_else(|| {
                ApiError::unauthorized("your session has ended")
                    .with_code("session_ended")
                    .with_hint("Log in again.")
            })?;
        Ok(AuthUser {
            is_agent: user.is_agent(),
            id: user.id,
            username: user.username,
            is_admin: user.is_admin,
            session_id: claims.sid,
            expires_at: claims.exp,
        })
    }

    /// Whether the session behind an open socket still holds: token not expired, session live.
    pub async fn still_valid(
        &self,
        store: &dyn Store,
        caller: &AuthUser,
    ) -> Result<bool, ApiError> {
        if caller.expires_at <= unix_now() {
            return Ok(false);
        }
        Ok(self
            .guard
            .user(store, &caller.session_id)
            .await?
            .is_some_and(|u| u.id == caller.id))
    }

    /// Announces that every session of `user_id` except `keep` ended (its password changed).
    pub fn end_all_of(&self, user_id: &str, keep: Option<&str>) {
        self.guard.forget_user(user_id);
        let _ = self.ended.send(Ended::User {
            user_id: user_id.to_owned(),
            keep: keep.map(str::to_owned),
        });
    }

    fn ended_session(&self, session_id: String) {
        self.guard.forget(&session_id);
        let _ = self.ended.send(Ended::Session(session_id));
    }

    /// Rotates a refresh token. Unknown, expired and replayed tokens are all 401; a replay has
    /// already revoked its family.
    pub async fn refresh(&self, store: &dyn Store, presented: &str) -> Result<TokenPair, ApiError> {
        let (token, record) = self.new_refresh(String::new(), "");
        let grace = self.refresh_grace;
        let rotation = store
            .rotate_refresh_token(&hash_token(presented), record, grace)
            .await?;
        let (user_id, session_id) = match rotation {
            RefreshRotation::Rotated { user_id, family_id } => (user_id, family_id),
            RefreshRotation::Reused { family_id } => {
                tracing::warn!(session = %family_id, "refresh token replayed; its session is revoked");
                self.ended_session(family_id);
                return Err(ApiError::unauthorized(
                    "refresh token was already used; the session is revoked",
                ));
            }
            RefreshRotation::Expired => {
                return Err(ApiError::unauthorized("refresh token expired"))
            }
            RefreshRotation::Unknown => {
                return Err(ApiError::unauthorized("refresh token is not valid"))
            }
        };
        let user = store
            .user_by_id(&user_id)
            .await?
            .ok_or_else(|| ApiError::unauthorized("the account no longer exists"))?;
        self.pair(user, token, session_id)
    }

    /// Logout: the session ends, its sockets close.
    pub async fn end(&self, store: &dyn Store, presented: &str) -> Result<(), ApiError> {
        if let Some(session_id) = store.revoke_refresh_token(&hash_token(presented)).await? {
            self.ended_session(session_id);
        }
        Ok(())
    }

    fn pair(
        &self,
        user: User,
        refresh_token: String,
        session_id: String,
    ) -> Result<TokenPair, ApiError> {
        let access_token = self
            .keys
            .issue(
                &user.id,
                &user.username,
                user.is_admin,
                user.is_agent(),
                &session_id,
            )
            .map_err(ApiError::internal)?;
        Ok(TokenPair {
            access_token,
            refresh_token,
            token_type: "Bearer",
            expires_in: self.keys.ttl_secs,
            user,
            session_id,
        })
    }

    fn new_refresh(&self, family_id: String, user_id: &str) -> (String, NewRefreshToken) {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let record = NewRefreshToken {
            token_hash: hash_token(&token),
            family_id,
            user_id: user_id.to_owned(),
            expires_at: huddle_store::now() + self.refresh_ttl,
        };
        (token, record)
    }
}

/// Refresh tokens are random 256-bit values, so a plain SHA-256 is enough to store them safely.
fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}
