//! Per-project delivery order. Writers may publish committed events out of order (two commits
//! race to the bus), and a lagging subscriber may miss some; the sequencer tells the dispatcher
//! what to do with each arriving event so that clients always see `seq` without gaps or repeats.

/// What to do with an arriving event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// The next expected event: deliver it.
    Deliver,
    /// Already delivered (or replayed): drop it.
    Duplicate,
    /// Events `from..=to` are missing: load them from the store and deliver them first.
    Gap { from: i64, to: i64 },
}

#[derive(Debug, Clone)]
pub struct Sequencer {
    delivered: i64,
}

impl Sequencer {
    /// Starts after `delivered`, the last sequence already handed to clients.
    pub fn new(delivered: i64) -> Sequencer {
        Sequencer { delivered }
    }

    pub fn delivered(&self) -> i64 {
        self.delivered
    }

    pub fn admit(&self, seq: i64) -> Admission {
        if seq <= self.delivered {
            Admission::Duplicate
        } else if seq == self.delivered + 1 {
            Admission::Deliver
        } else {
            Admission::Gap {
                from: self.delivered + 1,
                to: seq - 1,
            }
        }
    }

    /// Records delivery of `seq`; only the next sequence advances the cursor.
    pub fn mark_delivered(&mut self, seq: i64) {
        if seq == self.delivered + 1 {
            self.delivered = seq;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_order_events_are_delivered() {
        let mut s = Sequencer::new(3);
        assert_eq!(s.admit(4), Admission::Deliver);
        s.mark_delivered(4);
        assert_eq!(s.delivered(), 4);
    }

    #[test]
    fn old_events_are_duplicates() {
        let s = Sequencer::new(3);
        assert_eq!(s.admit(3), Admission::Duplicate);
        assert_eq!(s.admit(1), Admission::Duplicate);
    }

    #[test]
    fn a_jump_names_the_missing_range() {
        let s = Sequencer::new(3);
        assert_eq!(s.admit(7), Admission::Gap { from: 4, to: 6 });
    }

    #[test]
    fn marking_out_of_order_does_not_skip_ahead() {
        let mut s = Sequencer::new(3);
        s.mark_delivered(5);
        assert_eq!(s.delivered(), 3);
    }
}
