//! Typing indicators of one socket: which channels it is typing in, with a generation per start
//! so that only the latest start's timer can expire it.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

#[derive(Clone, Default)]
pub struct Typing {
    inner: Arc<Mutex<(u64, HashMap<String, u64>)>>,
}

impl Typing {
    /// Marks typing in `channel`; returns the generation for the expiry timer and whether the
    /// indicator is new (others must be told).
    pub fn start(&self, channel: &str) -> (u64, bool) {
        let mut inner = self.inner.lock();
        inner.0 += 1;
        let generation = inner.0;
        let fresh = inner.1.insert(channel.to_owned(), generation).is_none();
        (generation, fresh)
    }

    /// Ends typing in `channel`; true when it was on.
    pub fn stop(&self, channel: &str) -> bool {
        self.inner.lock().1.remove(channel).is_some()
    }

    /// Ends typing if no newer start happened since `generation`.
    pub fn expire(&self, channel: &str, generation: u64) -> bool {
        let mut inner = self.inner.lock();
        if inner.1.get(channel) == Some(&generation) {
            inner.1.remove(channel);
            true
        } else {
            false
        }
    }

    /// Ends every indicator (disconnect); returns their channels.
    pub fn drain(&self) -> Vec<String> {
        self.inner
            .lock()
            .1
            .drain()
            .map(|(channel, _)| channel)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_latest_start_expires() {
        let t = Typing::default();
        let (first, fresh) = t.start("general");
        assert!(fresh);
        let (second, fresh) = t.start("general");
        assert!(!fresh);
        assert!(
            !t.expire("general", first),
            "a renewed indicator survives the old timer"
        );
        assert!(t.expire("general", second));
        assert!(!t.stop("general"));
    }

    #[test]
    fn drain_ends_everything() {
        let t = Typing::default();
        t.start("a");
        t.start("b");
        let mut channels = t.drain();
        channels.sort();
        assert_eq!(channels, ["a", "b"]);
        assert!(t.drain().is_empty());
    }
}
