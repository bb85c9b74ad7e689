//! Connection admission: a valid access token in `auth.token` (or `?token=`), or the connection
//! is refused with `connect_error` "Authentication failed". Event handlers are registered here,
//! before the CONNECT reply, so an event emitted right after `connect` is never dropped.

use serde_json::json;
use socketioxide::extract::{AckSender, Event, SocketRef, State, TryData};
use socketioxide::SocketIo;

use super::limits::{close_over_cap, ChatBudgets, RateLimits};
use super::{portal, PORTAL};
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
    io: SocketIo,
    TryData(auth): TryData<serde_json::Value>,
    State(state): State<AppState>,
) -> Result<(), AuthFailed> {
    let user = user_of(&socket, auth.ok().as_ref(), &state)
        .await
        .ok_or(AuthFailed)?;
    tracing::debug!(user = ?user.username, ns = socket.ns(), sid = %socket.id, "socket authenticated");
    let realtime = &state.config.realtime;
    let limit = realtime.portal_connections_per_user;
    for (ns, sid) in state
        .realtime
        .portal_connections
        .add(&user.id, PORTAL, socket.id, limit)
    {
        close_over_cap(&io, &ns, sid);
    }
    // Portal requests (joining, leaving, subscribing) read; they get the read budget.
    let reads = RateLimits {
        per_second: realtime.reads_per_second,
        per_minute: realtime.reads_per_minute,
    };
    let budgets = state
        .realtime
        .budgets
        .of(&user.id, PORTAL, || ChatBudgets::new(reads, reads));
    state
        .realtime
        .open_sockets
        .add(socket.ns(), socket.id, &user);
    socket.join(super::feed::user_room(&user.id));
    socket.extensions.insert(user);
    socket.extensions.insert(budgets);
    portal::register(&socket);
    Ok(())
}

/// Answers an event no handler knows, so a client waiting on its ack hears why at once.
pub async fn unknown_event(Event(event): Event, ack: AckSender) {
    let error = json!({
        "code": "unknown_event",
        "message": format!("there is no event '{}' here", event.escape_debug()),
        "hint": "See docs/chat-api.md and docs/api.md for the events each namespace takes.",
        "event": event,
    });
    let _ = ack.send(&json!({ "ok": false, "error": error }));
}

/// The user proven by `auth.token` or `?token=`, if any, with a live session.
pub async fn user_of(
    socket: &SocketRef,
    auth: Option<&serde_json::Value>,
    state: &AppState,
) -> Option<AuthUser> {
    let from_auth = auth.and_then(|a| a.get("token")?.as_str().map(str::to_owned));
    let token = from_auth.or_else(|| query_token(socket.req_parts().uri.query()?))?;
    state
        .sessions
        .caller(state.store.as_ref(), &token)
        .await
        .ok()
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
