//! Login throttling per client address (all attempts) and per username (failures), with
//! fixed windows. Kept in memory: a restart forgets, which only ever helps a legitimate user.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimits {
    pub max_attempts_per_ip: u32,
    pub ip_window: Duration,
    pub max_failures_per_user: u32,
    pub user_window: Duration,
}

/// Entries kept before expired ones are swept, so a flood of usernames cannot grow memory.
const SWEEP_AT: usize = 10_000;

struct Window {
    started: Instant,
    count: u32,
}

struct Counter<K> {
    limit: u32,
    span: Duration,
    windows: HashMap<K, Window>,
}

impl<K: Eq + Hash> Counter<K> {
    fn new(limit: u32, span: Duration) -> Self {
        Counter {
            limit,
            span,
            windows: HashMap::new(),
        }
    }

    /// Seconds until `key` may try again, if it is over its limit.
    fn blocked_for(&self, key: &K, now: Instant) -> Option<u64> {
        let w = self.windows.get(key)?;
        let elapsed = now.duration_since(w.started);
        (elapsed < self.span && w.count >= self.limit)
            .then(|| (self.span - elapsed).as_secs().max(1))
    }

    fn record(&mut self, key: K, now: Instant) {
        if self.windows.len() >= SWEEP_AT {
            let span = self.span;
            self.windows
                .retain(|_, w| now.duration_since(w.started) < span);
        }
        let w = self.windows.entry(key).or_insert(Window {
            started: now,
            count: 0,
        });
        if now.duration_since(w.started) >= self.span {
            *w = Window {
                started: now,
                count: 0,
            };
        }
        w.count += 1;
    }

    fn clear(&mut self, key: &K) {
        self.windows.remove(key);
    }
}

pub struct LoginThrottle {
    ip: Mutex<Counter<IpAddr>>,
    user: Mutex<Counter<String>>,
}

impl LoginThrottle {
    pub fn new(limits: ThrottleLimits) -> LoginThrottle {
        LoginThrottle {
            ip: Mutex::new(Counter::new(limits.max_attempts_per_ip, limits.ip_window)),
            user: Mutex::new(Counter::new(
                limits.max_failures_per_user,
                limits.user_window,
            )),
        }
    }

    /// Counts an attempt from `ip`; `Err(seconds)` when either the address or the username must
    /// wait.
    pub fn begin(&self, ip: IpAddr, username: &str) -> Result<(), u64> {
        let now = Instant::now();
        if let Some(wait) = self.user.lock().blocked_for(&username.to_owned(), now) {
            return Err(wait);
        }
        let mut ip_counter = self.ip.lock();
        if let Some(wait) = ip_counter.blocked_for(&ip, now) {
            return Err(wait);
        }
        ip_counter.record(ip, now);
        Ok(())
    }

    pub fn failed(&self, username: &str) {
        self.user.lock().record(username.to_owned(), Instant::now());
    }

    pub fn succeeded(&self, username: &str) {
        self.user.lock().clear(&username.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> ThrottleLimits {
        ThrottleLimits {
            max_attempts_per_ip: 4,
            ip_window: Duration::from_secs(60),
            max_failures_per_user: 2,
            user_window: Duration::from_secs(900),
        }
    }

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn username_is_blocked_after_failures_and_freed_by_success() {
        let t = LoginThrottle::new(limits());
        for _ in 0..2 {
            assert!(t.begin(IP, "alice").is_ok());
            t.failed("alice");
        }
        let wait = t.begin(IP, "alice").expect_err("blocked");
        assert!(wait > 800 && wait <= 900, "{wait}");
        assert!(t.begin(IP, "bob").is_ok(), "other users are unaffected");
        t.succeeded("alice");
        assert!(
            t.begin(IP, "alice").is_ok(),
            "success clears the username's failures"
        );
        assert!(
            t.begin(IP, "alice").is_err(),
            "the address has now used its 4 attempts"
        );
    }

    #[test]
    fn address_is_blocked_after_too_many_attempts() {
        let t = LoginThrottle::new(limits());
        let other = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));
        for i in 0..4 {
            assert!(t.begin(IP, &format!("user{i}")).is_ok());
        }
        assert!(t.begin(IP, "user9").is_err());
        assert!(t.begin(other, "user9").is_ok());
    }

    #[test]
    fn windows_expire() {
        let mut c = Counter::new(1, Duration::from_millis(0));
        let now = Instant::now();
        c.record("k", now);
        assert_eq!(c.blocked_for(&"k", now), None);
    }
}
