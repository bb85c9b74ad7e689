//! The receiving clients of `fanout`: one task per socket, reading every frame (and answering
//! pings), keeping per phase the send→receive latency of each `message_received`, counting where
//! a sender's messages arrive out of their send order (a server that runs handlers concurrently
//! may commit requests in flight at once in either order) and a digest of the arrival order, so
//! that receivers who saw a different order than the others can be counted: that one order for
//! everyone is what Huddle promises.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::task::JoinHandle;

use super::content::{stamp_of, Phase, Stamp};
use huddle_bench::socket::SocketClient;

/// What one receiver saw of one phase.
#[derive(Default)]
struct PhaseTally {
    latencies: Vec<Duration>,
    order_violations: u64,
    /// Order-sensitive digest of the (sender, counter) sequence as it arrived.
    digest: u64,
    /// When the latest delivery arrived, in ns since the run's epoch.
    last_ns: u64,
}

#[derive(Default)]
struct Tally {
    phases: [PhaseTally; 3],
    /// The last counter seen from each sender (by index), across phases.
    last_counter: Vec<Option<u64>>,
}

impl Tally {
    fn record(&mut self, stamp: Stamp, now_ns: u64) {
        if self.last_counter.len() <= stamp.sender {
            self.last_counter.resize(stamp.sender + 1, None);
        }
        let last = &mut self.last_counter[stamp.sender];
        let phase = &mut self.phases[stamp.phase.index()];
        // A duplicate counts as out of order too: either way a client would show it wrongly.
        if last.is_some_and(|last| stamp.counter <= last) {
            phase.order_violations += 1;
        }
        *last = Some(last.map_or(stamp.counter, |l| l.max(stamp.counter)));
        let id = ((stamp.sender as u64) << 40) ^ stamp.counter;
        phase.digest = (phase.digest ^ id)
            .wrapping_mul(0x0100_0000_01b3)
            .rotate_left(5);
        phase
            .latencies
            .push(Duration::from_nanos(now_ns.saturating_sub(stamp.sent_ns)));
        phase.last_ns = phase.last_ns.max(now_ns);
    }
}

/// All receivers' deliveries of one phase.
pub struct Collected {
    pub latencies: Vec<Duration>,
    pub order_violations: u64,
    /// Receivers whose arrival order differs from the most common one.
    pub disagreeing: u64,
    pub last_ns: u64,
}

pub struct Receivers {
    tasks: Vec<JoinHandle<()>>,
    tallies: Vec<Arc<Mutex<Tally>>>,
    /// Deliveries per phase over all receivers, so the drain wait need not lock every tally.
    counts: Arc<[AtomicU64; 3]>,
}

impl Receivers {
    /// Connects `clients` sockets to `namespace` one after the other and starts reading them.
    /// `epoch` is the instant send times are measured from.
    pub async fn connect(
        base: &str,
        namespace: &str,
        auth: &str,
        clients: usize,
        epoch: Instant,
    ) -> anyhow::Result<Receivers> {
        let mut receivers = Receivers {
            tasks: Vec::with_capacity(clients),
            tallies: Vec::with_capacity(clients),
            counts: Arc::new(Default::default()),
        };
        for i in 0..clients {
            let client = SocketClient::connect(base, namespace, auth)
                .await
                .with_context(|| format!("receiver {i}"))?;
            let tally = Arc::new(Mutex::new(Tally::default()));
            receivers.tallies.push(tally.clone());
            let counts = receivers.counts.clone();
            receivers
                .tasks
                .push(tokio::spawn(read(i, client, tally, counts, epoch)));
        }
        Ok(receivers)
    }

    /// Deliveries of `phase` so far, over all receivers.
    pub fn delivered(&self, phase: Phase) -> u64 {
        self.counts[phase.index()].load(Ordering::Relaxed)
    }

    /// Takes what every receiver recorded for `phase`.
    pub fn take(&self, phase: Phase) -> Collected {
        let mut collected = Collected {
            latencies: Vec::new(),
            order_violations: 0,
            disagreeing: 0,
            last_ns: 0,
        };
        let mut digests = std::collections::HashMap::<u64, u64>::new();
        for tally in &self.tallies {
            let mut tally = tally.lock().unwrap_or_else(PoisonError::into_inner);
            let seen = std::mem::take(&mut tally.phases[phase.index()]);
            collected.latencies.extend(seen.latencies);
            collected.order_violations += seen.order_violations;
            collected.last_ns = collected.last_ns.max(seen.last_ns);
            *digests.entry(seen.digest).or_default() += 1;
        }
        let most = digests.values().copied().max().unwrap_or(0);
        collected.disagreeing = self.tallies.len() as u64 - most;
        collected
    }
}

impl Drop for Receivers {
    /// Closes the sockets with the tasks, also when a run stops early on an error.
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn read(
    index: usize,
    mut client: SocketClient,
    tally: Arc<Mutex<Tally>>,
    counts: Arc<[AtomicU64; 3]>,
    epoch: Instant,
) {
    while let Ok(Some(event)) = client.next_event().await {
        let Some(stamp) = stamp_of(&event) else {
            continue;
        };
        let now_ns = u64::try_from(epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
        tally
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .record(stamp, now_ns);
        counts[stamp.phase.index()].fetch_add(1, Ordering::Relaxed);
    }
    // Runs end by aborting this task, so getting here means the server closed the socket.
    eprintln!(
        "receiver {index} disconnected at {:.1} s",
        epoch.elapsed().as_secs_f64()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(sender: usize, counter: u64) -> Stamp {
        Stamp {
            phase: Phase::Closed,
            sender,
            counter,
            sent_ns: 10,
        }
    }

    #[test]
    fn late_and_repeated_messages_of_a_sender_are_order_violations() {
        let mut tally = Tally::default();
        for (sender, counter) in [(0, 1), (1, 1), (0, 2), (0, 4), (0, 3), (1, 2), (1, 2)] {
            tally.record(stamp(sender, counter), 25);
        }
        let closed = &tally.phases[Phase::Closed.index()];
        assert_eq!(closed.order_violations, 2);
        assert_eq!(closed.latencies.len(), 7);
        assert_eq!(closed.latencies[0], Duration::from_nanos(15));
        assert_eq!(closed.last_ns, 25);
    }

    #[test]
    fn the_digest_tells_arrival_orders_apart() {
        let digest = |order: &[(usize, u64)]| {
            let mut tally = Tally::default();
            for &(sender, counter) in order {
                tally.record(stamp(sender, counter), 25);
            }
            tally.phases[Phase::Closed.index()].digest
        };
        let order = [(0, 1), (1, 1), (0, 2)];
        assert_eq!(digest(&order), digest(&order));
        assert_ne!(digest(&order), digest(&[(1, 1), (0, 1), (0, 2)]));
        assert_ne!(digest(&order), digest(&order[..2]));
    }
}
