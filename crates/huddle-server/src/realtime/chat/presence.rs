//! Who is in a project's chat and whether they are active or idle, read from the namespace's
//! own sockets so it can never drift from reality. A user is online while any of their sockets
//! is active, idle while all of them are idle, offline without sockets.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use socketioxide::extract::SocketRef;
use socketioxide::socket::Sid;
use socketioxide::SocketIo;

use crate::auth::AuthUser;

/// Set by `set_presence {status: "idle"}` on one socket.
#[derive(Clone, Default)]
pub struct IdleFlag(Arc<AtomicBool>);

impl IdleFlag {
    pub fn set(&self, idle: bool) {
        self.0.store(idle, Ordering::Relaxed);
    }

    pub fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Online,
    Idle,
}

/// Status per username of every socket in `ns`, leaving out `without`.
pub fn snapshot(io: &SocketIo, ns: &str, without: Option<Sid>) -> BTreeMap<String, Status> {
    let mut users = BTreeMap::new();
    let Some(ops) = io.of(ns) else { return users };
    for socket in ops.sockets() {
        if Some(socket.id) == without {
            continue;
        }
        if let Some(user) = socket.extensions.get::<AuthUser>() {
            let idle = socket.extensions.get::<IdleFlag>().is_some_and(|f| f.get());
            let status = if idle { Status::Idle } else { Status::Online };
            users
                .entry(user.username)
                .and_modify(|s| {
                    if status == Status::Online {
                        *s = Status::Online;
                    }
                })
                .or_insert(status);
        }
    }
    users
}

/// The `presence` payload: sorted online and idle usernames.
pub fn payload(project_name: &str, users: &BTreeMap<String, Status>) -> serde_json::Value {
    let pick = |want: Status| {
        users
            .iter()
            .filter(|(_, s)| **s == want)
            .map(|(u, _)| u.clone())
            .collect::<Vec<_>>()
    };
    serde_json::json!({ "project_name": project_name, "online": pick(Status::Online), "idle": pick(Status::Idle) })
}

/// This socket's own contribution, for computing a user's status as it was before it left.
pub fn own_status(socket: &SocketRef) -> Status {
    if socket.extensions.get::<IdleFlag>().is_some_and(|f| f.get()) {
        Status::Idle
    } else {
        Status::Online
    }
}

/// A user's status with one more socket of status `extra` added.
pub fn with_extra(current: Option<Status>, extra: Status) -> Status {
    match (current, extra) {
        (Some(Status::Online), _) | (_, Status::Online) => Status::Online,
        _ => Status::Idle,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_active_socket_makes_a_user_online() {
        assert_eq!(with_extra(None, Status::Idle), Status::Idle);
        assert_eq!(
            with_extra(Some(Status::Idle), Status::Online),
            Status::Online
        );
        assert_eq!(
            with_extra(Some(Status::Online), Status::Idle),
            Status::Online
        );
    }

    #[test]
    fn payload_splits_online_and_idle() {
        let users = BTreeMap::from([
            ("bob".to_owned(), Status::Idle),
            ("alice".to_owned(), Status::Online),
        ]);
        let body = payload("alpha", &users);
        assert_eq!(body["online"], serde_json::json!(["alice"]));
        assert_eq!(body["idle"], serde_json::json!(["bob"]));
    }
}
