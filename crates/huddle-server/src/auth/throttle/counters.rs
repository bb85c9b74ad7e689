//! One counter of failed logins per key (a pair, an address, a username): its backoff policy,
//! the growing waits it sets, and the sweeping that keeps its map bounded.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// Entries a map holds before quiet ones are swept, and at most (then the entries whose waits
/// ended longest ago go first).
const SWEEP_AT: usize = 10_000;
pub(super) const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Clone, Copy)]
pub(super) struct Policy {
    pub free: u32,
    pub first: Duration,
    pub max: Duration,
    pub window: Duration,
}

impl Policy {
    /// The wait after `failures` failures: none while free, then doubling up to the cap.
    fn delay(&self, failures: u32) -> Duration {
        match failures.checked_sub(self.free) {
            None => Duration::ZERO,
            Some(extra) => {
                let factor = 1u32.checked_shl(extra).unwrap_or(u32::MAX);
                self.first.saturating_mul(factor).min(self.max)
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Backoff {
    failures: u32,
    /// Attempts begun and not yet answered: counted so that parallel guesses cannot slip
    /// through before the first failure is recorded.
    in_flight: u32,
    /// No attempt before this.
    until: Instant,
}

pub(super) struct Counters<K> {
    policy: Policy,
    pub(super) map: HashMap<K, Backoff>,
    /// Where the next sweep happens; grows with the live entries so sweeps stay rare.
    sweep_at: usize,
}

impl<K: Eq + Hash + Clone> Counters<K> {
    pub(super) fn new(policy: Policy) -> Self {
        Counters {
            policy,
            map: HashMap::new(),
            sweep_at: SWEEP_AT,
        }
    }

    fn forgotten(&self, b: &Backoff, now: Instant) -> bool {
        b.in_flight == 0 && now >= b.until + self.policy.window
    }

    /// How long `key` must wait before an attempt; `in_flight` attempts count as pending
    /// failures when `concurrent` is set.
    pub(super) fn wait(&self, key: &K, now: Instant, concurrent: bool) -> Option<Duration> {
        let b = self.map.get(key).filter(|b| !self.forgotten(b, now))?;
        if now < b.until {
            return Some(b.until - now);
        }
        let free_left = b.failures.saturating_add(b.in_flight) < self.policy.free;
        (concurrent && b.in_flight > 0 && !free_left).then_some(Duration::from_secs(1))
    }

    fn entry(&mut self, key: K, now: Instant) -> &mut Backoff {
        if self.map.len() >= self.sweep_at {
            self.sweep(now);
        }
        let fresh = Backoff {
            failures: 0,
            in_flight: 0,
            until: now,
        };
        let policy = self.policy;
        let b = self.map.entry(key).or_insert(fresh);
        if b.in_flight == 0 && now >= b.until + policy.window {
            *b = fresh;
        }
        b
    }

    fn sweep(&mut self, now: Instant) {
        let window = self.policy.window;
        self.map
            .retain(|_, b| b.in_flight > 0 || now < b.until + window);
        if self.map.len() >= MAX_ENTRIES {
            let mut ends: Vec<(Instant, K)> = self
                .map
                .iter()
                .filter(|(_, b)| b.in_flight == 0)
                .map(|(k, b)| (b.until, k.clone()))
                .collect();
            ends.sort_unstable_by_key(|(until, _)| *until);
            for (_, key) in ends.into_iter().take(MAX_ENTRIES / 2) {
                self.map.remove(&key);
            }
        }
        self.sweep_at = (self.map.len() * 2).clamp(SWEEP_AT, MAX_ENTRIES);
    }

    /// Records a failure; returns the failures counted before it.
    pub(super) fn fail(&mut self, key: K, now: Instant) -> u32 {
        let policy = self.policy;
        let b = self.entry(key, now);
        let before = b.failures;
        b.failures = b.failures.saturating_add(1);
        b.until = b.until.max(now + policy.delay(b.failures));
        before
    }

    pub(super) fn begin(&mut self, key: K, now: Instant) {
        let b = self.entry(key, now);
        b.in_flight += 1;
    }

    pub(super) fn end(&mut self, key: &K) {
        if let Some(b) = self.map.get_mut(key) {
            b.in_flight = b.in_flight.saturating_sub(1);
        }
    }

    pub(super) fn clear(&mut self, key: &K, now: Instant) {
        match self.map.get_mut(key) {
            Some(b) if b.in_flight > 0 => {
                b.failures = 0;
                b.until = b.until.min(now);
            }
            Some(_) => {
                self.map.remove(key);
            }
            None => {}
        }
    }
}
