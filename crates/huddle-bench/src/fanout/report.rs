//! The figures of a `fanout` run and how they are printed: one block of `[server mode] key=value`
//! lines per server and mode, then Huddle's ratios to the others. Stable and greppable, because
//! `docs/PERFORMANCE.md` quotes them.

use std::time::Duration;

use super::content::Phase;
use super::senders::SenderTally;
use crate::stats::{ms, percentile};

/// One server in one mode.
pub struct PhaseResult {
    pub phase: Phase,
    pub senders: SenderTally,
    pub expected: u64,
    pub deliveries: u64,
    /// Deliveries that came after a later message of the same sender.
    pub order_violations: u64,
    /// Receivers that saw the messages in another order than most receivers did.
    pub disagreeing: u64,
    pub cpu_secs: f64,
    /// From the first send to the last delivery.
    pub window_secs: f64,
    /// p50, p95, p99 and max of send→receive over all deliveries.
    pub latency: [Duration; 4],
}

impl PhaseResult {
    pub fn latency_of(samples: &mut [Duration]) -> [Duration; 4] {
        samples.sort_unstable();
        [
            percentile(samples, 50.0),
            percentile(samples, 95.0),
            percentile(samples, 99.0),
            samples.last().copied().unwrap_or_default(),
        ]
    }

    pub fn lost(&self) -> u64 {
        self.expected.saturating_sub(self.deliveries)
    }

    pub fn cpu_us_per_delivery(&self) -> f64 {
        self.cpu_secs * 1e6 / self.deliveries.max(1) as f64
    }

    pub fn deliveries_per_sec(&self) -> f64 {
        self.deliveries as f64 / self.window_secs.max(1e-9)
    }

    pub fn print(&self, server: &str) {
        let tag = format!("[{server} {}]", self.phase.name());
        let s = &self.senders;
        println!(
            "{tag} sent={} acked={} errors={} unacked={}",
            s.sent, s.acked, s.errors, s.unacked
        );
        if let Some(error) = &s.first_error {
            println!("{tag} first_error={error}");
        }
        println!(
            "{tag} deliveries={} expected={} lost={} sender_order_inversions={} receivers_disagreeing={} window_s={:.2} deliveries_per_s={:.0}",
            self.deliveries,
            self.expected,
            self.lost(),
            self.order_violations,
            self.disagreeing,
            self.window_secs,
            self.deliveries_per_sec()
        );
        println!(
            "{tag} server_cpu_s={:.2} cpu_us_per_delivery={:.3}",
            self.cpu_secs,
            self.cpu_us_per_delivery()
        );
        let [p50, p95, p99, max] = self.latency.map(ms);
        println!("{tag} latency_ms p50={p50:.2} p95={p95:.2} p99={p99:.2} max={max:.2}");
    }
}

/// Everything measured on one server.
pub struct ServerRun {
    pub name: &'static str,
    pub phases: Vec<PhaseResult>,
    pub rss_kib: u64,
}

/// `huddle/<other>` ratios per mode: how many times the bare or Node figure Huddle's is.
pub fn print_ratios(runs: &[ServerRun]) {
    let Some(huddle) = runs.iter().find(|r| r.name == "huddle") else {
        return;
    };
    for other in runs.iter().filter(|r| r.name != "huddle") {
        for mine in &huddle.phases {
            let Some(theirs) = other.phases.iter().find(|p| p.phase == mine.phase) else {
                continue;
            };
            println!(
                "[ratio huddle/{} {}] cpu_per_delivery={} p99={} deliveries_per_s={} rss={}",
                other.name,
                mine.phase.name(),
                ratio(mine.cpu_us_per_delivery(), theirs.cpu_us_per_delivery()),
                ratio(ms(mine.latency[2]), ms(theirs.latency[2])),
                ratio(mine.deliveries_per_sec(), theirs.deliveries_per_sec()),
                ratio(huddle.rss_kib as f64, other.rss_kib as f64),
            );
        }
    }
}

fn ratio(mine: f64, theirs: f64) -> String {
    if theirs > 0.0 && mine.is_finite() {
        format!("{:.2}x", mine / theirs)
    } else {
        "n/a".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_never_divide_by_zero() {
        assert_eq!(ratio(3.0, 1.5), "2.00x");
        assert_eq!(ratio(3.0, 0.0), "n/a");
    }
}
