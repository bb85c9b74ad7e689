//! Events that arrived ahead of a gap. Writers that commit together publish in whatever order
//! their tasks wake, so the next event is usually microseconds behind: it is cheaper to hold the
//! early ones briefly than to read the log back from the store. A gap that does not fill in time
//! (an event written by another process, a publisher gone) is filled from the store after all.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Holdback<T> {
    held: BTreeMap<i64, T>,
    /// When the current gap started to be waited for.
    since: Option<Instant>,
}

impl<T> Default for Holdback<T> {
    fn default() -> Self {
        Holdback {
            held: BTreeMap::new(),
            since: None,
        }
    }
}

impl<T> Holdback<T> {
    /// Holds `item`, which arrived before some event ahead of it.
    pub fn hold(&mut self, seq: i64, item: T, now: Instant) {
        self.held.insert(seq, item);
        self.since.get_or_insert(now);
    }

    /// Takes the held events that follow `delivered` without a gap, in `seq` order, and drops
    /// those at or below it (they came meanwhile from the store).
    pub fn release(&mut self, mut delivered: i64, now: Instant) -> Vec<T> {
        let mut ready = Vec::new();
        while let Some(entry) = self.held.first_entry() {
            let seq = *entry.key();
            if seq > delivered + 1 {
                break;
            }
            let item = entry.remove();
            if seq == delivered + 1 {
                ready.push(item);
                delivered = seq;
            }
        }
        self.since = match (self.held.is_empty(), ready.is_empty()) {
            (true, _) => None,
            (false, true) => self.since,
            // Progress, and a further gap: that one gets its own wait.
            (false, false) => Some(now),
        };
        ready
    }

    /// Whether the gap has been waited for longer than `wait`, or more than `most` events are
    /// held: time to fill it from the store.
    pub fn overdue(&self, now: Instant, wait: Duration, most: usize) -> bool {
        self.held.len() > most
            || self
                .since
                .is_some_and(|since| now.saturating_duration_since(since) >= wait)
    }

    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_events_come_out_in_order_once_the_gap_fills() {
        let now = Instant::now();
        let mut h = Holdback::default();
        h.hold(7, "seven", now);
        h.hold(6, "six", now);
        assert!(h.release(4, now).is_empty(), "5 is still missing");
        assert_eq!(h.release(5, now), ["six", "seven"]);
        assert!(h.is_empty());
        assert!(!h.overdue(now + Duration::from_secs(9), Duration::from_millis(50), 10));
    }

    #[test]
    fn events_already_delivered_are_dropped_and_a_further_gap_waits_anew() {
        let start = Instant::now();
        let later = start + Duration::from_millis(40);
        let mut h = Holdback::default();
        for seq in [3, 4, 6] {
            h.hold(seq, seq, start);
        }
        assert_eq!(
            h.release(3, later),
            [4],
            "3 came from the store; 5 is missing"
        );
        let wait = Duration::from_millis(50);
        assert!(!h.overdue(start + Duration::from_millis(60), wait, 10));
        assert!(h.overdue(later + wait, wait, 10));
    }

    #[test]
    fn a_gap_is_overdue_after_the_wait_or_when_too_much_is_held() {
        let start = Instant::now();
        let wait = Duration::from_millis(50);
        let mut h = Holdback::default();
        h.hold(9, (), start);
        assert!(!h.overdue(start, wait, 1));
        assert!(h.overdue(start + wait, wait, 1));
        h.hold(10, (), start);
        assert!(h.overdue(start, wait, 1), "two held, one allowed");
    }
}
