//! Open sockets and the sessions behind them. A socket lives no longer than its session: when a
//! session ends (logout, a replayed refresh token, a password change) its sockets are told
//! `session_ended` and closed at once, and a periodic check closes sockets whose access token
//! expired or whose session ended elsewhere (the CLI, another node).

use std::collections::HashMap;
use std::time::Duration;

use parking_lot::Mutex;
use serde_json::json;
use socketioxide::extract::SocketRef;
use socketioxide::socket::Sid;
use socketioxide::SocketIo;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;

use super::feed::send;
use crate::auth::{AuthUser, Ended};
use crate::state::AppState;

/// Why a socket is closed, in the words `session_ended` carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closing {
    /// The access token expired: the client refreshes it and reconnects.
    Expired,
    /// Logged out, or revoked: the client must log in again.
    SessionEnded,
    PasswordChanged,
}

impl Closing {
    fn reason(self) -> &'static str {
        match self {
            Closing::Expired => "expired",
            Closing::SessionEnded => "ended",
            Closing::PasswordChanged => "password_changed",
        }
    }

    /// The error an event's ack carries when it is refused because of this closing.
    pub fn error(self) -> serde_json::Value {
        match self {
            Closing::Expired => {
                json!({ "code": "session_expired", "message": "your sign-in expired",
                                        "hint": "Reconnect with a fresh access token." })
            }
            _ => json!({ "code": "session_ended", "message": self.message(),
                         "hint": "Log in again." }),
        }
    }

    fn message(self) -> &'static str {
        match self {
            Closing::Expired => "Your sign-in expired; reconnecting with a fresh one.",
            Closing::SessionEnded => "You were signed out. Log in again to continue.",
            Closing::PasswordChanged => "Your password was changed. Log in again to continue.",
        }
    }
}

/// Every authenticated socket on this node, by namespace and socket id.
#[derive(Default)]
pub struct OpenSockets {
    entries: Mutex<HashMap<(String, Sid), AuthUser>>,
}

impl OpenSockets {
    pub fn add(&self, ns: &str, sid: Sid, caller: &AuthUser) {
        self.entries
            .lock()
            .insert((ns.to_owned(), sid), caller.clone());
    }

    pub fn remove(&self, ns: &str, sid: Sid) {
        self.entries.lock().remove(&(ns.to_owned(), sid));
    }

    fn matching(&self, ended: &Ended) -> Vec<(String, Sid)> {
        self.entries
            .lock()
            .iter()
            .filter(|(_, e)| match ended {
                Ended::Session(session_id) => e.session_id == *session_id,
                Ended::User { user_id, keep } => {
                    e.id == *user_id && keep.as_deref() != Some(e.session_id.as_str())
                }
            })
            .map(|(key, _)| key.clone())
            .collect()
    }

    fn all(&self) -> Vec<((String, Sid), AuthUser)> {
        self.entries
            .lock()
            .iter()
            .map(|(key, caller)| (key.clone(), caller.clone()))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.entries.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Tells one socket why it is being closed, then closes it.
pub fn close(io: &SocketIo, ns: &str, sid: Sid, why: Closing) {
    if let Some(socket) = io.of(ns).and_then(|ops| ops.get_socket(sid)) {
        close_socket(&socket, why);
    }
}

pub fn close_socket(socket: &SocketRef, why: Closing) {
    tracing::info!(sid = %socket.id, ns = socket.ns(), reason = why.reason(), "closing a socket whose session ended");
    let notice = json!({ "reason": why.reason(), "message": why.message() });
    send(socket, "session_ended", &notice);
    let _ = socket.clone().disconnect();
}

/// Runs until `stop`: closes the sockets of sessions as they end, and every
/// `realtime.session_recheck_secs` those whose token expired or whose session ended elsewhere.
pub async fn run_session_watch(state: AppState, io: SocketIo, stop: CancellationToken) {
    let mut ended = state.sessions.ended();
    let every = Duration::from_secs(state.config.realtime.session_recheck_secs.max(1));
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            received = ended.recv() => match received {
                Ok(what) => close_ended(&state, &io, &what),
                Err(RecvError::Lagged(_)) => recheck(&state, &io).await,
                Err(RecvError::Closed) => return,
            },
            _ = tick.tick() => recheck(&state, &io).await,
        }
    }
}

fn close_ended(state: &AppState, io: &SocketIo, ended: &Ended) {
    let why = match ended {
        Ended::Session(_) => Closing::SessionEnded,
        Ended::User { .. } => Closing::PasswordChanged,
    };
    for (ns, sid) in state.realtime.open_sockets.matching(ended) {
        close(io, &ns, sid, why);
    }
}

async fn recheck(state: &AppState, io: &SocketIo) {
    let now = crate::auth::unix_now();
    for ((ns, sid), caller) in state.realtime.open_sockets.all() {
        if caller.expires_at <= now {
            close(io, &ns, sid, Closing::Expired);
            continue;
        }
        match state
            .sessions
            .still_valid(state.store.as_ref(), &caller)
            .await
        {
            Ok(true) => {}
            Ok(false) => close(io, &ns, sid, Closing::SessionEnded),
            // A store hiccup is no reason to drop people; the next check decides.
            Err(e) => tracing::warn!(error = ?e.body, "cannot check a socket's session"),
        }
    }
}
