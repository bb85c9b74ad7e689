//! The sending connections of `fanout`. Each is one task owning its socket: between phases it
//! only reads (senders are in the room too, and a server drops a socket that stops reading);
//! during a phase it also sends, in a closed loop on acks or at a fixed pace.

use std::time::{Duration, Instant};

use anyhow::Context;
use futures::StreamExt;
use serde_json::{json, Value};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use super::content::{content, Phase, Stamp};
use huddle_bench::socket::{Frame, SocketClient};

/// How long after the end of a phase a sender waits for its last acks.
const ACK_WAIT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// Keep this many requests unacknowledged: the next goes out when an ack comes back.
    Closed { in_flight: usize },
    /// One message per `interval`, the first after `offset`, acks or not.
    Paced {
        interval: Duration,
        offset: Duration,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub phase: Phase,
    pub shape: Shape,
    pub duration: Duration,
}

/// What the senders did in one phase.
#[derive(Debug, Default)]
pub struct SenderTally {
    pub sent: u64,
    pub acked: u64,
    /// Acks with `ok: false` (or unreadable), and connections that failed.
    pub errors: u64,
    /// Requests still unacknowledged after [`ACK_WAIT`].
    pub unacked: u64,
    pub first_error: Option<String>,
}

impl SenderTally {
    fn error(&mut self, what: String) {
        self.errors += 1;
        self.first_error.get_or_insert(what);
    }

    fn add(&mut self, other: SenderTally) {
        self.sent += other.sent;
        self.acked += other.acked;
        self.errors += other.errors;
        self.unacked += other.unacked;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

type Order = (Plan, oneshot::Sender<SenderTally>);

pub struct Senders {
    orders: Vec<mpsc::Sender<Order>>,
    tasks: Vec<JoinHandle<()>>,
}

impl Senders {
    pub async fn connect(
        base: &str,
        namespace: &str,
        auth: &str,
        count: usize,
        epoch: Instant,
    ) -> anyhow::Result<Senders> {
        let mut senders = Senders {
            orders: Vec::new(),
            tasks: Vec::new(),
        };
        for index in 0..count {
            let client = SocketClient::connect(base, namespace, auth)
                .await
                .with_context(|| format!("sender {index}"))?;
            let (order, orders) = mpsc::channel(1);
            senders.orders.push(order);
            let sender = Sender {
                client,
                index,
                counter: 0,
                epoch,
            };
            senders.tasks.push(tokio::spawn(sender.serve(orders)));
        }
        Ok(senders)
    }

    /// Runs one phase on every sender at once; `shape` gives each sender's share of the load.
    pub async fn run(
        &self,
        phase: Phase,
        duration: Duration,
        shape: impl Fn(usize) -> Shape,
    ) -> anyhow::Result<SenderTally> {
        let mut replies = Vec::new();
        for (index, orders) in self.orders.iter().enumerate() {
            let (reply, replied) = oneshot::channel();
            let plan = Plan {
                phase,
                shape: shape(index),
                duration,
            };
            orders
                .send((plan, reply))
                .await
                .with_context(|| format!("sender {index} has disconnected"))?;
            replies.push(replied);
        }
        let mut total = SenderTally::default();
        for (index, replied) in replies.into_iter().enumerate() {
            total.add(
                replied
                    .await
                    .with_context(|| format!("sender {index} disconnected"))?,
            );
        }
        Ok(total)
    }
}

impl Drop for Senders {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

struct Sender {
    client: SocketClient,
    index: usize,
    /// Runs on across phases, so receivers can check the order over the whole run.
    counter: u64,
    epoch: Instant,
}

impl Sender {
    /// Reads between phases and runs each phase it is given, until the connection ends.
    async fn serve(mut self, mut orders: mpsc::Receiver<Order>) {
        loop {
            tokio::select! {
                order = orders.recv() => {
                    let Some((plan, reply)) = order else { return };
                    let _ = reply.send(self.run(plan).await);
                }
                frame = self.client.reader.next() => {
                    let open = match frame {
                        Some(Ok(frame)) => self.idle_frame(&frame).await,
                        _ => false,
                    };
                    if !open {
                        eprintln!("{} disconnected between phases", self.name());
                        return;
                    }
                }
            }
        }
    }

    /// Answers pings; false when the connection has ended.
    async fn idle_frame(&mut self, frame: &Message) -> bool {
        let Message::Text(text) = frame else {
            return !matches!(frame, Message::Close(_));
        };
        match self.client.classify(text.as_str()) {
            Frame::Ping => self.client.pong().await.is_ok(),
            Frame::End => false,
            _ => true,
        }
    }

    async fn run(&mut self, plan: Plan) -> SenderTally {
        let mut tally = SenderTally::default();
        let start = tokio::time::Instant::now();
        let stop = tokio::time::sleep_until(start + plan.duration);
        let give_up = tokio::time::sleep_until(start + plan.duration + ACK_WAIT);
        tokio::pin!(stop, give_up);
        let (mut ticker, paced) = match plan.shape {
            Shape::Paced { interval, offset } => {
                (tokio::time::interval_at(start + offset, interval), true)
            }
            Shape::Closed { .. } => (tokio::time::interval(Duration::from_secs(3600)), false),
        };
        let mut outstanding = 0u64;
        if let Shape::Closed { in_flight } = plan.shape {
            for _ in 0..in_flight.max(1) {
                if !self.send(plan.phase, &mut tally).await {
                    return tally;
                }
                outstanding += 1;
            }
        }
        let mut sending = true;
        while sending || outstanding > 0 {
            tokio::select! {
                () = &mut stop, if sending => sending = false,
                () = &mut give_up => {
                    tally.unacked = outstanding;
                    break;
                }
                _ = ticker.tick(), if paced && sending => {
                    if !self.send(plan.phase, &mut tally).await {
                        break;
                    }
                    outstanding += 1;
                }
                frame = self.client.reader.next() => {
                    let frame = match frame {
                        Some(Ok(frame)) => frame,
                        Some(Err(e)) => {
                            tally.error(format!("{} lost its connection: {e}", self.name()));
                            break;
                        }
                        None => {
                            tally.error(format!("{} lost its connection", self.name()));
                            break;
                        }
                    };
                    let Message::Text(text) = &frame else { continue };
                    match self.client.classify(text.as_str()) {
                        Frame::Ack { body, .. } => {
                            outstanding = outstanding.saturating_sub(1);
                            tally.acked += 1;
                            if !ack_is_ok(body) {
                                tally.error(body.chars().take(300).collect());
                            }
                            if !paced && sending {
                                if !self.send(plan.phase, &mut tally).await {
                                    break;
                                }
                                outstanding += 1;
                            }
                        }
                        Frame::Ping => {
                            if self.client.pong().await.is_err() {
                                break;
                            }
                        }
                        Frame::End => {
                            tally.error(format!("{} was disconnected: {text}", self.name()));
                            break;
                        }
                        Frame::Event(_) | Frame::Other => {}
                    }
                }
            }
        }
        tally
    }

    /// `sender 3 (at 12.3 s)`: which one, and when since the run's epoch, for error messages.
    fn name(&self) -> String {
        format!(
            "sender {} (at {:.1} s)",
            self.index,
            self.epoch.elapsed().as_secs_f64()
        )
    }

    /// Sends the next message with an ack id; false when the socket cannot be written.
    async fn send(&mut self, phase: Phase, tally: &mut SenderTally) -> bool {
        self.counter += 1;
        let stamp = Stamp {
            phase,
            sender: self.index,
            counter: self.counter,
            sent_ns: u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX),
        };
        let payload = json!({ "content": content(&stamp) }).to_string();
        match self.client.send_request("send_message", &payload).await {
            Ok(_) => {
                tally.sent += 1;
                true
            }
            Err(e) => {
                tally.error(format!("{} cannot send: {e}", self.name()));
                false
            }
        }
    }
}

/// `[{"ok":true,...}]`, the ack of a message the server took.
fn ack_is_ok(body: &str) -> bool {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|ack| ack.get(0)?.get("ok")?.as_bool())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_ok_ack_counts_as_taken() {
        assert!(ack_is_ok(r#"[{"message":{"seq":1},"ok":true}]"#));
        assert!(!ack_is_ok(
            r#"[{"ok":false,"error":{"code":"rate_limited"}}]"#
        ));
        assert!(!ack_is_ok("[]"));
        assert!(!ack_is_ok("not json"));
    }
}
