//! How fast one user may upload: a budget of files and of bytes per minute, refilled
//! continuously (a token bucket), so a burst up to the budget passes and then uploads go at the
//! budget's pace. Kept in memory per node; a restart forgets, which only ever helps a user.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// Users tracked before full (idle) buckets are swept; one entry per user who uploaded lately.
const SWEEP_AT: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    files: f64,
    bytes: f64,
    at: Instant,
}

pub struct UploadRate {
    files_per_minute: f64,
    bytes_per_minute: f64,
    users: Mutex<HashMap<String, Bucket>>,
}

impl UploadRate {
    /// A budget of 0 turns that limit off.
    pub fn new(files_per_minute: u32, bytes_per_minute: u64) -> UploadRate {
        UploadRate {
            files_per_minute: f64::from(files_per_minute),
            bytes_per_minute: bytes_per_minute as f64,
            users: Mutex::new(HashMap::new()),
        }
    }

    fn full(&self, now: Instant) -> Bucket {
        Bucket {
            files: self.files_per_minute,
            bytes: self.bytes_per_minute,
            at: now,
        }
    }

    fn refill(&self, bucket: &mut Bucket, now: Instant) {
        let minutes = now.saturating_duration_since(bucket.at).as_secs_f64() / 60.0;
        bucket.files = (bucket.files + minutes * self.files_per_minute).min(self.files_per_minute);
        bucket.bytes = (bucket.bytes + minutes * self.bytes_per_minute).min(self.bytes_per_minute);
        bucket.at = now;
    }

    /// How long until `bucket` holds `files` and `bytes` (each capped at the whole budget, so
    /// a request larger than the budget waits for a full bucket and then leaves a debt).
    fn wait(&self, bucket: &Bucket, files: f64, bytes: f64) -> Duration {
        let lack = |have: f64, want: f64, per_minute: f64| {
            if per_minute <= 0.0 {
                return 0.0;
            }
            (want.min(per_minute) - have).max(0.0) / per_minute * 60.0
        };
        let secs = lack(bucket.files, files, self.files_per_minute).max(lack(
            bucket.bytes,
            bytes,
            self.bytes_per_minute,
        ));
        Duration::from_secs_f64(secs)
    }

    /// Whether `user` may start an upload now (before its size is known); `Err(wait)` if not.
    pub fn check(&self, user: &str, now: Instant) -> Result<(), Duration> {
        let mut users = self.users.lock();
        let Some(bucket) = users.get_mut(user) else {
            return Ok(());
        };
        self.refill(bucket, now);
        match self.wait(bucket, 1.0, 1.0) {
            wait if wait.is_zero() => Ok(()),
            wait => Err(wait),
        }
    }

    /// Spends `files` and `bytes` of `user`'s budget, or nothing and `Err(wait)` when the
    /// budget does not hold them yet.
    pub fn take(&self, user: &str, files: u32, bytes: u64, now: Instant) -> Result<(), Duration> {
        let (files, bytes) = (f64::from(files), bytes as f64);
        let mut users = self.users.lock();
        if users.len() >= SWEEP_AT {
            users.retain(|_, b| {
                let mut b = *b;
                self.refill(&mut b, now);
                b.files < self.files_per_minute || b.bytes < self.bytes_per_minute
            });
        }
        let bucket = users
            .entry(user.to_owned())
            .or_insert_with(|| self.full(now));
        self.refill(bucket, now);
        let wait = self.wait(bucket, files, bytes);
        if !wait.is_zero() {
            return Err(wait);
        }
        if self.files_per_minute > 0.0 {
            bucket.files -= files;
        }
        if self.bytes_per_minute > 0.0 {
            bucket.bytes -= bytes;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    #[test]
    fn a_burst_up_to_the_budget_passes_then_the_pace_is_the_budget() {
        let rate = UploadRate::new(30, 50 * MIB);
        let t0 = Instant::now();
        for _ in 0..6 {
            assert!(rate.take("alice", 5, 5 * MIB, t0).is_ok());
        }
        let wait = rate.take("alice", 1, 1, t0).expect_err("30 files used");
        assert_eq!(wait, Duration::from_secs(2), "one file per 2 s");
        assert!(rate.check("alice", t0).is_err());
        assert!(rate.check("bob", t0).is_ok(), "budgets are per user");
        let later = t0 + Duration::from_secs(2);
        assert!(rate.check("alice", later).is_ok());
        assert!(rate.take("alice", 1, 1, later).is_ok());
    }

    #[test]
    fn bytes_have_their_own_budget() {
        let rate = UploadRate::new(30, 10 * MIB);
        let t0 = Instant::now();
        assert!(rate.take("alice", 1, 8 * MIB, t0).is_ok());
        let wait = rate.take("alice", 1, 4 * MIB, t0).expect_err("12 MiB > 10");
        assert_eq!(wait.as_secs(), 12, "2 MiB missing at 10 MiB/min");
        assert!(
            rate.take("alice", 1, 2 * MIB, t0).is_ok(),
            "what fits passes"
        );
    }

    #[test]
    fn a_request_larger_than_the_budget_waits_for_a_full_bucket() {
        let rate = UploadRate::new(30, 10 * MIB);
        let t0 = Instant::now();
        assert!(rate.take("alice", 1, 25 * MIB, t0).is_ok(), "a full bucket");
        let wait = rate.take("alice", 1, 1, t0).expect_err("in debt");
        assert!(wait > Duration::from_secs(90), "{wait:?}");
    }

    #[test]
    fn zero_turns_a_limit_off() {
        let rate = UploadRate::new(0, 0);
        let t0 = Instant::now();
        for _ in 0..1000 {
            assert!(rate.take("alice", 5, 50 * MIB, t0).is_ok());
        }
    }
}
