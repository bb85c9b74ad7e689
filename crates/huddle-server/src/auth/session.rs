//! Logging in, refreshing and logging out: the token pairs handed to clients.

use base64::Engine;
use chrono::Duration;
use huddle_store::{NewRefreshToken, RefreshRotation, Store, User};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::jwt::JwtKeys;
use crate::error::ApiError;

/// What `/auth/login` and `/auth/refresh` return.
#[derive(Debug, Serialize)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
    pub user: User,
}

pub struct Sessions {
    pub keys: JwtKeys,
    pub refresh_ttl: Duration,
}

impl Sessions {
    /// Starts a new token family for `user`.
    pub async fn start(&self, store: &dyn Store, user: User) -> Result<TokenPair, ApiError> {
        let (token, record) = self.new_refresh(uuid::Uuid::now_v7().to_string(), &user.id);
        store.insert_refresh_token(record).await?;
        self.pair(user, token)
    }

    /// Rotates a refresh token. Unknown, expired and replayed tokens are all 401; a replay has
    /// already revoked its family.
    pub async fn refresh(&self, store: &dyn Store, presented: &str) -> Result<TokenPair, ApiError> {
        let (token, record) = self.new_refresh(String::new(), "");
        let rotation = store
            .rotate_refresh_token(&hash_token(presented), record)
            .await?;
        let user_id = match rotation {
            RefreshRotation::Rotated { user_id } => user_id,
            RefreshRotation::Reused => {
                tracing::warn!("refresh token replayed; its session family is revoked");
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
        self.pair(user, token)
    }

    pub async fn end(&self, store: &dyn Store, presented: &str) -> Result<(), ApiError> {
        Ok(store.revoke_refresh_token(&hash_token(presented)).await?)
    }

    fn pair(&self, user: User, refresh_token: String) -> Result<TokenPair, ApiError> {
        let access_token = self
            .keys
            .issue(&user.id, &user.username, user.is_admin, user.is_agent())
            .map_err(ApiError::internal)?;
        Ok(TokenPair {
            access_token,
            refresh_token,
            token_type: "Bearer",
            expires_in: self.keys.ttl_secs,
            user,
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
