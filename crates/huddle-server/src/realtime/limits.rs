//! Per-socket event rate limits (sliding windows) and the per-user connection cap.
//!
//! A chat socket has two budgets: one for what others see (sends, edits, reactions, typing…)
//! and a separate, larger one for reads (history pages, search, read marks, previews), so a
//! reader scrolling through a long channel never spends the budget their next message needs.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use socketioxide::socket::Sid;

/// Events allowed per second and per minute on one socket.
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
}

/// The chat sockets of each user, oldest first, so the oldest can be dropped when a user opens
/// more than allowed.
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
