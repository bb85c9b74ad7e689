//! Fan-out of committed project events.
//!
//! Writers publish an event only after its transaction commits; every subscriber on this node
//! (the Socket.IO dispatcher, later the agent workers) receives it. The in-process bus is a
//! bounded broadcast channel: a subscriber that falls behind is told how much it missed and
//! reloads it from the store, so nothing is lost, only delayed. A Redis implementation for
//! several nodes plugs in behind the same trait.

mod holdback;
mod sequencer;

use std::sync::Arc;

use huddle_store::StoredEvent;
use tokio::sync::broadcast;

pub use holdback::Holdback;
pub use sequencer::{Admission, Sequencer};

/// Committed events, shared between subscribers without copying.
pub type BusEvent = Arc<StoredEvent>;

pub trait Bus: Send + Sync + 'static {
    /// Hands a committed event to every subscriber. Never blocks the writer.
    fn publish(&self, event: StoredEvent);
    fn subscribe(&self) -> broadcast::Receiver<BusEvent>;
}

/// The single-node bus.
pub struct LocalBus {
    sender: broadcast::Sender<BusEvent>,
}

impl LocalBus {
    /// `capacity` events may be queued for the slowest subscriber before it starts lagging.
    pub fn new(capacity: usize) -> LocalBus {
        let (sender, _) = broadcast::channel(capacity.max(1));
        LocalBus { sender }
    }
}

impl Bus for LocalBus {
    fn publish(&self, event: StoredEvent) {
        // No subscriber is not an error: the event is in the log for whoever comes later.
        let _ = self.sender.send(Arc::new(event));
    }

    fn subscribe(&self) -> broadcast::Receiver<BusEvent> {
        self.sender.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: i64) -> StoredEvent {
        StoredEvent {
            project_id: "p".into(),
            project_name: "alpha".into(),
            seq,
            kind: "note".into(),
            payload: serde_json::json!({}),
            actor: None,
            created_at: chrono::Utc::now(),
        }
    }

    #[tokio::test]
    async fn every_subscriber_sees_events_in_publish_order() {
        let bus = LocalBus::new(16);
        let (mut a, mut b) = (bus.subscribe(), bus.subscribe());
        for seq in 1..=3 {
            bus.publish(event(seq));
        }
        for rx in [&mut a, &mut b] {
            for seq in 1..=3 {
                assert_eq!(rx.recv().await.expect("event").seq, seq);
            }
        }
    }

    #[tokio::test]
    async fn a_lagging_subscriber_learns_how_much_it_missed() {
        let bus = LocalBus::new(2);
        let mut rx = bus.subscribe();
        for seq in 1..=5 {
            bus.publish(event(seq));
        }
        assert!(matches!(
            rx.recv().await,
            Err(broadcast::error::RecvError::Lagged(3))
        ));
        assert_eq!(rx.recv().await.expect("event").seq, 4);
    }

    #[test]
    fn publishing_without_subscribers_is_fine() {
        LocalBus::new(1).publish(event(1));
    }
}
