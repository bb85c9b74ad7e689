//! Connection admission: a valid access token in `auth.token` (or `?token=`), or the connection
//! is refused with `connect_error` "Authentication failed". Event handlers are registered here,
//! before the CONNECT reply, so an event emitted right after `connect` is never dropped.

use socketioxide::extract::{SocketRef, State, TryData};

use super::portal;
use crate::auth::AuthUser;
use crate::state::AppState;

#[derive(Debug)]
pub struct AuthFailed;

impl std::fmt::Display for AuthFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Authentication failed")
    }
}

pub async fn authenticate(
    socket: SocketRef,
    TryData(auth): TryData<serde_json::Value>,
    State(state): State<AppState>,
) -> Result<(), AuthFailed> {
    let from_auth = auth
        .ok()
        .and_then(|a| a.get("token")?.as_str().map(str::to_owned));
    let token = from_auth.or_else(|| query_token(socket.req_parts().uri.query()?));
    let user = token
        .and_then(|t| state.sessions.keys.verify(&t))
        .map(AuthUser::from)
        .ok_or(AuthFailed)?;
    tracing::debug!(user = %user.username, ns = socket.ns(), sid = %socket.id, "socket authenticated");
    socket.join(super::feed::user_room(&user.id));
    socket.extensions.insert(user);
    portal::register(&socket);
    Ok(())
}

/// The user proven by `auth.token` or `?token=`, if any.
pub fn user_of(
    socket: &SocketRef,
    auth: Option<&serde_json::Value>,
    state: &AppState,
) -> Option<AuthUser> {
    let from_auth = auth.and_then(|a| a.get("token")?.as_str().map(str::to_owned));
    let token = from_auth.or_else(|| query_token(socket.req_parts().uri.query()?))?;
    state.sessions.keys.verify(&token).map(AuthUser::from)
}

fn query_token(query: &str) -> Option<String> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("token=").map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_found_among_query_parameters() {
        assert_eq!(
            query_token("EIO=4&transport=polling&token=abc").as_deref(),
            Some("abc")
        );
        assert_eq!(query_token("EIO=4&transport=polling"), None);
        assert_eq!(query_token("xtoken=abc"), None);
    }
}
