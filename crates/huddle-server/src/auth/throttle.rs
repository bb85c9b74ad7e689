//! Login throttling by growing delays, never by lockout. Three counters of failed passwords:
//!
//! - one address guessing one username (`pair`): a few free failures, then each further one
//!   doubles the wait (1 s, 2 s, 4 s … up to a cap of minutes). This is what keeps guessing
//!   slow, and it touches nobody else.
//! - one address over all usernames (`address`): the same, with more free failures, against
//!   one address trying many accounts.
//! - one username from many addresses (`user`): grows only once per address (an address's
//!   first failure for that username in a window), so a single attacker never moves it, and
//!   its cap is low: strangers can delay the real user by at most that cap.
//!
//! While a wait is pending the attempt is refused before the password is checked. A success
//! clears the username's counters. A counter is forgotten once it has been quiet for its window
//! after its wait ended; the maps are swept and bounded. Kept in memory: a restart forgets,
//! which only ever helps a legitimate user.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::config::AuthConfig;
use counters::{Counters, Policy};

mod counters;

#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimits {
    /// Failures of one address for one username before its waits begin.
    pub free_per_pair: u32,
    /// Failures of one address (any username) before its waits begin.
    pub free_per_address: u32,
    /// Addresses that may fail for one username before the username waits.
    pub free_addresses_per_user: u32,
    /// The first wait; each further failure doubles it.
    pub first_delay: Duration,
    /// Longest wait of an address, alone or for one username.
    pub max_address_delay: Duration,
    /// Longest wait of a username.
    pub max_user_delay: Duration,
    /// Quiet time after which a username's (and an address's per-username) counter is
    /// forgotten.
    pub user_window: Duration,
    /// Quiet time after which an address's counter is forgotten.
    pub address_window: Duration,
}

impl From<&AuthConfig> for ThrottleLimits {
    fn from(c: &AuthConfig) -> ThrottleLimits {
        ThrottleLimits {
            free_per_pair: c.max_failures_per_user,
            free_per_address: c.max_attempts_per_ip,
            free_addresses_per_user: c.max_addresses_per_user,
            first_delay: Duration::from_secs(c.login_delay_secs),
            max_address_delay: Duration::from_secs(c.max_login_delay_secs),
            max_user_delay: Duration::from_secs(c.max_user_delay_secs),
            user_window: Duration::from_secs(c.user_window_secs),
            address_window: Duration::from_secs(c.ip_window_secs),
        }
    }
}

/// Longest username kept as a key; longer ones cannot exist and share the cut-off key.
const MAX_KEY_CHARS: usize = huddle_core::Username::MAX_LEN + 1;

struct State {
    pair: Counters<(IpAddr, String)>,
    address: Counters<IpAddr>,
    user: Counters<String>,
}

pub struct LoginThrottle {
    state: Mutex<State>,
}

/// One address as the throttle counts it: an IPv6 client controls its whole /64, so that is
/// one address; IPv4-mapped IPv6 is IPv4.
fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

fn user_key(username: &str) -> String {
    username.chars().take(MAX_KEY_CHARS).collect()
}

fn whole_seconds(wait: Duration) -> u64 {
    wait.as_secs_f64().ceil().max(1.0) as u64
}

/// A login attempt that may go ahead; say how it ended with [`Attempt::failed`] or
/// [`Attempt::succeeded`]. Dropped without either (the client went away), it counts for nothing.
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    ip: IpAddr,
    username: String,
    open: bool,
}

impl Attempt<'_> {
    /// The password was wrong (or the user unknown).
    pub fn failed(self) {
        self.failed_at(Instant::now());
    }

    pub fn succeeded(self) {
        self.succeeded_at(Instant::now());
    }

    fn failed_at(mut self, now: Instant) {
        self.open = false;
        self.throttle.failed_at(self.ip, &self.username, now);
    }

    fn succeeded_at(mut self, now: Instant) {
        self.open = false;
        self.throttle.succeeded_at(self.ip, &self.username, now);
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if self.open {
            self.throttle.released(self.ip, &self.username);
        }
    }
}

impl LoginThrottle {
    pub fn new(limits: ThrottleLimits) -> LoginThrottle {
        let policy = |free, max, window| Policy {
            free,
            first: limits.first_delay,
            max,
            window,
        };
        LoginThrottle {
            state: Mutex::new(State {
                pair: Counters::new(policy(
                    limits.free_per_pair,
                    limits.max_address_delay,
                    limits.user_window,
                )),
                address: Counters::new(policy(
                    limits.free_per_address,
                    limits.max_address_delay,
                    limits.address_window,
                )),
                user: Counters::new(policy(
                    limits.free_addresses_per_user,
                    limits.max_user_delay,
                    limits.user_window,
                )),
            }),
        }
    }

    /// An attempt from `ip` for `username`, or `Err(seconds)` to wait first (the password must
    /// then not be checked).
    pub fn begin(&self, ip: IpAddr, username: &str) -> Result<Attempt<'_>, u64> {
        self.begin_at(ip, username, Instant::now())
    }

    fn begin_at(&self, ip: IpAddr, username: &str, now: Instant) -> Result<Attempt<'_>, u64> {
        let (ip, username) = (address_key(ip), user_key(username));
        let pair = (ip, username.clone());
        let mut s = self.state.lock();
        let wait = [
            s.pair.wait(&pair, now, true),
            s.address.wait(&ip, now, true),
            s.user.wait(&username, now, false),
        ]
        .into_iter()
        .flatten()
        .max();
        if let Some(wait) = wait {
            return Err(whole_seconds(wait));
        }
        s.pair.begin(pair, now);
        s.address.begin(ip, now);
        Ok(Attempt {
            throttle: self,
            ip,
            username,
            open: true,
        })
    }

    fn failed_at(&self, ip: IpAddr, username: &str, now: Instant) {
        let pair = (ip, username.to_owned());
        let mut s = self.state.lock();
        s.pair.end(&pair);
        s.address.end(&ip);
        if s.pair.fail(pair, now) == 0 {
            // This address's first failure for the username in the window: the only kind
            // that moves the username's own counter.
            s.user.fail(username.to_owned(), now);
        }
        s.address.fail(ip, now);
    }

    fn succeeded_at(&self, ip: IpAddr, username: &str, now: Instant) {
        let pair = (ip, username.to_owned());
        let mut s = self.state.lock();
        s.pair.end(&pair);
        s.address.end(&ip);
        s.pair.clear(&pair, now);
        s.user.clear(&username.to_owned(), now);
    }

    fn released(&self, ip: IpAddr, username: &str) {
        let pair = (ip, username.to_owned());
        let mut s = self.state.lock();
        s.pair.end(&pair);
        s.address.end(&ip);
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::counters::MAX_ENTRIES;
    use super::*;

    fn limits() -> ThrottleLimits {
        ThrottleLimits {
            free_per_pair: 3,
            free_per_address: 20,
            free_addresses_per_user: 3,
            first_delay: Duration::from_secs(1),
            max_address_delay: Duration::from_secs(300),
            max_user_delay: Duration::from_secs(60),
            user_window: Duration::from_secs(900),
            address_window: Duration::from_secs(900),
        }
    }

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, last))
    }

    const S: Duration = Duration::from_secs(1);

    /// A wrong password from `ip` at `now`, which must be allowed.
    fn fail(t: &LoginThrottle, ip: IpAddr, user: &str, now: Instant) {
        t.begin_at(ip, user, now).expect("allowed").failed_at(now);
    }

    #[test]
    fn waits_double_after_the_free_failures_up_to_the_cap() {
        let t = LoginThrottle::new(limits());
        let mut now = Instant::now();
        for _ in 0..3 {
            fail(&t, ip(1), "alice", now);
        }
        let mut waits = Vec::new();
        for _ in 0..12 {
            let wait = t.begin_at(ip(1), "alice", now).err().expect("waiting");
            waits.push(wait);
            now += Duration::from_secs(wait);
            fail(&t, ip(1), "alice", now);
        }
        assert_eq!(
            waits,
            [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300],
            "the third failure starts the waits"
        );
    }

    #[test]
    fn a_pending_wait_refuses_even_the_right_password_and_success_clears_it() {
        let t = LoginThrottle::new(limits());
        let now = Instant::now();
        for _ in 0..3 {
            fail(&t, ip(1), "alice", now);
        }
        assert_eq!(t.begin_at(ip(1), "alice", now).err(), Some(1));
        let later = now + 2 * S;
        t.begin_at(ip(1), "alice", later)
            .expect("waited")
            .succeeded_at(later);
        for _ in 0..3 {
            fail(&t, ip(1), "alice", later);
        }
        assert!(
            t.begin_at(ip(1), "alice", later).is_err(),
            "three free failures again after the success, no more"
        );
    }

    /// Guesses from `ip` for `user` as fast as the throttle lets them, for `span`; the times
    /// of the guesses made.
    fn guess(
        t: &LoginThrottle,
        ip: IpAddr,
        user: &str,
        start: Instant,
        span: Duration,
    ) -> Vec<Duration> {
        let mut now = start;
        let mut tries = Vec::new();
        while now < start + span {
            match t.begin_at(ip, user, now) {
                Ok(attempt) => {
                    tries.push(now - start);
                    attempt.failed_at(now);
                }
                Err(wait) => now += Duration::from_secs(wait),
            }
        }
        tries
    }

    #[test]
    fn guessing_from_one_address_stays_a_few_tries_per_minute() {
        let t = LoginThrottle::new(limits());
        let tries = guess(
            &t,
            ip(1),
            "alice",
            Instant::now(),
            Duration::from_secs(3600),
        );
        let first_minute = tries.iter().filter(|t| t.as_secs() < 60).count();
        assert!(
            first_minute <= 9,
            "{first_minute} tries in the first minute"
        );
        let later = tries.iter().filter(|t| t.as_secs() >= 600).count();
        assert!(
            later <= 11,
            "{later} tries in the last 50 minutes: one per 5 minutes"
        );
    }

    #[test]
    fn an_attacker_elsewhere_never_stops_the_real_user() {
        let t = LoginThrottle::new(limits());
        let start = Instant::now();
        guess(&t, ip(66), "alice", start, Duration::from_secs(3600));
        let now = start + Duration::from_secs(3600);
        t.begin_at(ip(1), "alice", now)
            .expect("the real user's own address may try at once")
            .succeeded_at(now);
        assert!(
            t.begin_at(ip(66), "alice", now).is_err(),
            "the attacker still waits after the real user's success"
        );
    }

    #[test]
    fn many_addresses_slow_a_username_down_by_at_most_its_cap() {
        let t = LoginThrottle::new(limits());
        let now = Instant::now();
        for a in 10..13 {
            fail(&t, ip(a), "alice", now);
        }
        assert_eq!(t.begin_at(ip(1), "alice", now).err(), Some(1));
        let mut now = now + S;
        for a in 13..40 {
            fail(&t, ip(a), "alice", now);
            let wait = t.begin_at(ip(1), "alice", now).err().expect("waiting");
            assert!(wait <= 60, "{wait}");
            now += Duration::from_secs(wait);
        }
        assert!(t.begin_at(ip(1), "alice", now).is_ok());
        assert!(
            t.begin_at(ip(1), "bob", now).is_ok(),
            "other users are free"
        );
        for _ in 0..8 {
            fail(&t, ip(39), "alice", now);
            now += Duration::from_secs(100);
            assert!(
                t.begin_at(ip(1), "alice", now).is_ok(),
                "an address counted once cannot extend the username's wait"
            );
        }
    }

    #[test]
    fn one_address_over_many_usernames_waits_too() {
        let t = LoginThrottle::new(limits());
        let now = Instant::now();
        for i in 0..20 {
            fail(&t, ip(1), &format!("user{i}"), now);
        }
        assert_eq!(t.begin_at(ip(1), "someone", now).err(), Some(1));
        assert!(t.begin_at(ip(2), "someone", now).is_ok());
    }

    #[test]
    fn parallel_attempts_cannot_outrun_the_count() {
        let t = LoginThrottle::new(limits());
        let now = Instant::now();
        let held: Vec<_> = (0..3)
            .map(|_| t.begin_at(ip(1), "alice", now).expect("free"))
            .collect();
        assert!(
            t.begin_at(ip(1), "alice", now).is_err(),
            "three guesses are in flight already"
        );
        drop(held);
        assert!(
            t.begin_at(ip(1), "alice", now).is_ok(),
            "abandoned attempts count for nothing"
        );
    }

    #[test]
    fn counters_are_forgotten_after_a_quiet_window() {
        let t = LoginThrottle::new(limits());
        let now = Instant::now();
        for _ in 0..3 {
            fail(&t, ip(1), "alice", now);
        }
        let waited = now + S;
        let almost = waited + Duration::from_secs(899);
        fail(&t, ip(1), "alice", almost);
        assert!(
            t.begin_at(ip(1), "alice", almost).is_err(),
            "not forgotten yet: the fourth failure waits 2 s"
        );
        let quiet = almost + Duration::from_secs(2 + 900);
        for _ in 0..3 {
            fail(&t, ip(1), "alice", quiet);
        }
    }

    #[test]
    fn maps_stay_bounded() {
        let t = LoginThrottle::new(limits());
        let now = Instant::now();
        let flood = |from: u32, count: u32, at: Instant| {
            for i in from..from + count {
                fail(&t, IpAddr::V4(Ipv4Addr::from(i)), &format!("u{i}"), at);
            }
        };
        flood(0, MAX_ENTRIES as u32 + 5_000, now);
        {
            let s = t.state.lock();
            for len in [s.pair.map.len(), s.user.map.len(), s.address.map.len()] {
                assert!(len <= MAX_ENTRIES, "{len}");
            }
        }
        flood(
            1 << 24,
            MAX_ENTRIES as u32 / 2,
            now + Duration::from_secs(2000),
        );
        assert!(
            t.state.lock().pair.map.len() <= MAX_ENTRIES / 2,
            "quiet entries are swept"
        );
    }

    #[test]
    fn ipv6_counts_per_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("v6");
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().expect("v6");
        assert_eq!(address_key(a), address_key(b));
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().expect("mapped");
        assert_eq!(address_key(mapped), ip(1));
    }
}
