//! Event rate limits (sliding windows) per user and project, and the per-user connection caps.
//!
//! A user has two budgets in each project's chat: one for what others see (sends, edits,
//! reactions, typing…) and a separate, larger one for reads (history pages, search, read marks,
//! previews), so a reader scrolling through a long channel never spends the budget their next
//! message needs. Budgets belong to the user, not the socket: every socket of theirs, and a
//! socket opened again, draws on the same ones. `/portal` requests have a budget of their own.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use serde_json::json;
use socketioxide::extract::{AckSender, SocketRef};
use socketioxide::socket::Sid;
use socketioxide::SocketIo;

use super::feed::send;
use super::sessions::{close_socket, Closing};
use crate::auth::{unix_now, AuthUser};
use crate::state::AppState;

/// Events allowed per second and per minute, per user and project over all their sockets.
#[derive(Debug, Clone, Copy)]
pub struct RateLimits {
    pub per_second: usize,
    pub per_minute: usize,
}

/// Stored in the socket's extensions; cloned handles share the window.
#[derive(Clone)]
pub struct RateLimiter {
    limits: RateLimits,
    recent: Arc<Mutex<VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new(limits: RateLimits) -> RateLimiter {
        RateLimiter {
            limits,
            recent: Arc::default(),
        }
    }

    /// Counts one event, or says how long to wait when over either limit (the refused event is
    /// not counted).
    pub fn check(&self, now: Instant) -> Result<(), Duration> {
        let mut recent = self.recent.lock();
        while recent
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(60))
        {
            recent.pop_front();
        }
        if recent.len() >= self.limits.per_minute {
            let oldest = recent.front().copied().unwrap_or(now);
            return Err(Duration::from_secs(60).saturating_sub(now.duration_since(oldest)));
        }
        let in_last_second = recent
            .iter()
            .rev()
            .take_while(|t| now.duration_since(**t) < Duration::from_secs(1))
            .count();
        if in_last_second >= self.limits.per_second {
            let nth = recent[recent.len() - in_last_second];
            return Err(Duration::from_secs(1).saturating_sub(now.duration_since(nth)));
        }
        recent.push_back(now);
        Ok(())
    }

    /// Whether nothing was counted in the last minute (the window is empty).
    fn idle(&self, now: Instant) -> bool {
        self.recent
            .lock()
            .back()
            .is_none_or(|t| now.duration_since(*t) >= Duration::from_secs(60))
    }
}

/// Chat requests that only read (or mark one's own reading): counted against the read budget.
const READS: [&str; 4] = [
    "request_message_history",
    "search_messages",
    "mark_read",
    "preview_markdown",
];

/// The two budgets of one chat socket, kept in its extensions.
#[derive(Clone)]
pub struct ChatBudgets {
    sends: RateLimiter,
    reads: RateLimiter,
}

impl ChatBudgets {
    pub fn new(sends: RateLimits, reads: RateLimits) -> ChatBudgets {
        ChatBudgets {
            sends: RateLimiter::new(sends),
            reads: RateLimiter::new(reads),
        }
    }

    /// Counts `event` against its budget, or says how long to wait.
    pub fn check(&self, event: &str, now: Instant) -> Result<(), Duration> {
        if READS.contains(&event) {
            self.reads.check(now)
        } else {
            self.sends.check(now)
        }
    }

    fn idle(&self, now: Instant) -> bool {
        self.sends.idle(now) && self.reads.idle(now)
    }
}

/// Budgets kept before idle ones are swept, so many users cannot grow memory without bound.
const SWEEP_AT: usize = 10_000;

/// The budgets of every user, per scope (a project's chat, or the portal), shared by all their
/// sockets and surviving reconnects.
#[derive(Default)]
pub struct UserBudgets {
    budgets: Mutex<HashMap<(String, String), ChatBudgets>>,
}

impl UserBudgets {
    /// The budgets of `user_id` in `scope`, made with `new` the first time.
    pub fn of(&self, user_id: &str, scope: &str, new: impl FnOnce() -> ChatBudgets) -> ChatBudgets {
        let mut budgets = self.budgets.lock();
        if budgets.len() >= SWEEP_AT {
            let now = Instant::now();
            budgets.retain(|_, b| !b.idle(now));
        }
        budgets
            .entry((user_id.to_owned(), scope.to_owned()))
            .or_insert_with(new)
            .clone()
    }
}

/// Admits one event: the socket's access token must not have expired (then it is closed with
/// `session_ended`, and the client reconnects with a fresh one), its session must still hold
/// (asked through the same short-lived cache REST uses, so a session ended by the CLI or another
/// node stops posting within `auth.session_check_secs`, not at the next sweep), and the event is
/// counted against the user's budgets; over them, answers `rate_limited` (as an event, and in
/// the ack when there is one). Returns false when the event must not run.
pub async fn admitted(
    socket: &SocketRef,
    state: &AppState,
    ack: &mut Option<AckSender>,
    event: &str,
) -> bool {
    if let Some(user) = socket.extensions.get::<AuthUser>() {
        let closing = if user.expires_at <= unix_now() {
            Some(Closing::Expired)
        } else {
            match state
                .sessions
                .still_valid(state.store.as_ref(), &user)
                .await
            {
                Ok(true) => None,
                Ok(false) => Some(Closing::SessionEnded),
                // A store hiccup is no reason to drop people: the event's own work decides.
                Err(e) => {
                    tracing::warn!(error = ?e.body, "cannot check a socket's session");
                    None
                }
            }
        };
        if let Some(why) = closing {
            if let Some(ack) = ack.take() {
                let _ = ack.send(&json!({ "ok": false, "error": why.error() }));
            }
            close_socket(socket, why);
            return false;
        }
    }
    let Some(budgets) = socket.extensions.get::<ChatBudgets>() else {
        return true;
    };
    let Err(wait) = budgets.check(event, Instant::now()) else {
        return true;
    };
    let retry_after = (wait.max(Duration::from_millis(1)).as_secs_f64() * 1000.0).ceil() / 1000.0;
    send(
        socket,
        "rate_limited",
        &json!({ "event": event, "retry_after": retry_after }),
    );
    if let Some(ack) = ack.take() {
        let error = json!({ "code": "rate_limited", "message": format!("too many events; wait {retry_after} s"),
                            "hint": "Slow down; the limit is per user, over all their connections.", "retry_after": retry_after });
        let _ = ack.send(&json!({ "ok": false, "error": error }));
    }
    false
}

/// The sockets of each user in one kind of namespace (chat, portal), oldest first, so the oldest
/// can be dropped when a user opens more than allowed.
#[derive(Default)]
pub struct ConnectionCap {
    users: Mutex<HashMap<String, VecDeque<(String, Sid)>>>,
}

impl ConnectionCap {
    /// Records `(namespace, socket id)` for `user`; returns the connections over `limit` that
    /// must be closed.
    pub fn add(&self, user: &str, ns: &str, sid: Sid, limit: usize) -> Vec<(String, Sid)> {
        let mut users = self.users.lock();
        let sockets = users.entry(user.to_owned()).or_default();
        sockets.push_back((ns.to_owned(), sid));
        let excess = sockets.len().saturating_sub(limit.max(1));
        sockets.drain(..excess).collect()
    }

    pub fn remove(&self, user: &str, sid: Sid) {
        let mut users = self.users.lock();
        if let Some(sockets) = users.get_mut(user) {
            sockets.retain(|(_, s)| *s != sid);
            if sockets.is_empty() {
                users.remove(user);
            }
        }
    }
}

/// Disconnects a user's oldest socket when they opened one too many.
pub fn close_over_cap(io: &SocketIo, ns: &str, sid: Sid) {
    if let Some(old) = io.of(ns).and_then(|ops| ops.get_socket(sid)) {
        tracing::info!(%sid, ns, "closing the oldest connection of a user over the limit");
        let notice = json!({
            "reason": "connection_limit",
            "message": "You opened Huddle in too many places; this one was closed.",
        });
        send(&old, "connection_closed", &notice);
        let _ = old.disconnect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_second_limit_then_recovery() {
        let limiter = RateLimiter::new(RateLimits {
            per_second: 3,
            per_minute: 100,
        });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check(t0).is_ok());
        }
        let wait = limiter.check(t0).expect_err("fourth in the same second");
        assert!(wait > Duration::from_millis(900) && wait <= Duration::from_secs(1));
        assert!(limiter.check(t0 + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn per_minute_limit() {
        let limiter = RateLimiter::new(RateLimits {
            per_second: 100,
            per_minute: 5,
        });
        let t0 = Instant::now();
        for i in 0..5 {
            assert!(limiter.check(t0 + Duration::from_secs(i)).is_ok());
        }
        let wait = limiter
            .check(t0 + Duration::from_secs(10))
            .expect_err("over the minute");
        assert_eq!(wait, Duration::from_secs(50));
        assert!(limiter.check(t0 + Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn reads_do_not_spend_the_send_budget() {
        let tight = RateLimits {
            per_second: 2,
            per_minute: 100,
        };
        let roomy = RateLimits {
            per_second: 20,
            per_minute: 600,
        };
        let budgets = ChatBudgets::new(tight, roomy);
        let t0 = Instant::now();
        for _ in 0..20 {
            assert!(budgets.check("request_message_history", t0).is_ok());
        }
        assert!(budgets.check("request_message_history", t0).is_err());
        assert!(budgets.check("send_message", t0).is_ok());
        assert!(budgets.check("send_message", t0).is_ok());
        assert!(
            budgets.check("add_reaction", t0).is_err(),
            "writes share one budget"
        );
    }

    #[test]
    fn a_users_budget_is_shared_and_outlives_the_socket() {
        let users = UserBudgets::default();
        let tight = RateLimits {
            per_second: 3,
            per_minute: 100,
        };
        let make = || ChatBudgets::new(tight, tight);
        let t0 = Instant::now();
        for _ in 0..3 {
            // A fresh socket each time (as a reconnect makes): same budget.
            assert!(users
                .of("alice", "p1", make)
                .check("send_message", t0)
                .is_ok());
        }
        assert!(users
            .of("alice", "p1", make)
            .check("send_message", t0)
            .is_err());
        assert!(
            users
                .of("alice", "p2", make)
                .check("send_message", t0)
                .is_ok(),
            "another project has its own"
        );
        assert!(
            users
                .of("bob", "p1", make)
                .check("send_message", t0)
                .is_ok(),
            "another user has their own"
        );
    }

    #[test]
    fn the_oldest_connections_go_first() {
        let cap = ConnectionCap::default();
        let sids: Vec<Sid> = (0..5).map(|_| Sid::new()).collect();
        for sid in &sids[..3] {
            assert!(cap.add("alice", "/chat/a", *sid, 3).is_empty());
        }
        assert_eq!(
            cap.add("alice", "/chat/a", sids[3], 3),
            [("/chat/a".to_owned(), sids[0])]
        );
        cap.remove("alice", sids[1]);
        assert!(cap.add("alice", "/chat/a", sids[4], 3).is_empty());
        assert!(
            cap.add("bob", "/chat/a", Sid::new(), 3).is_empty(),
            "per user"
        );
    }
}
