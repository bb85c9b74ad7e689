//! `huddle-bench fanout`: the same chat fan-out load, from the same clients, against a bare
//! socketioxide room server, a minimal Node socket.io server and Huddle, one after the other.
//! The bare and Node servers show what relaying alone costs; the difference to Huddle is what
//! its full path (auth, validation, Markdown, the durable write, the event log) adds per
//! delivery.

mod content;
mod receivers;
mod report;
mod senders;
mod servers;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::process::clock_ticks_per_second;
use content::{Phase, CONTENT_BYTES};
use receivers::Receivers;
use report::{print_ratios, PhaseResult, ServerRun};
use senders::{Senders, Shape};
use servers::{Target, NAMESPACE};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    Closed,
    Paced,
    Both,
}

#[derive(Debug, clap::Args)]
pub struct FanoutArgs {
    /// The Huddle binary (build it with `cargo build --release`).
    #[arg(long, default_value = "target/release/huddle")]
    bin: String,
    /// Receiving clients, all in the one room.
    #[arg(long, default_value_t = 200)]
    clients: usize,
    /// Sending connections (separate from the receivers, in the room too).
    #[arg(long, default_value_t = 5)]
    senders: usize,
    /// Closed loop: unacknowledged requests each sender keeps outstanding.
    #[arg(long, default_value_t = 8)]
    in_flight: usize,
    /// Paced: messages per second from all senders together.
    #[arg(long, default_value_t = 100)]
    rate: u64,
    /// Length of each measured phase.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    #[arg(long, value_enum, default_value_t = Mode::Both)]
    mode: Mode,
    /// Packets queued per socket on the bare server (Huddle's `realtime.socket_buffer`).
    #[arg(long, default_value_t = 2048)]
    socket_buffer: usize,
    /// Where the Node server and its `package.json` are.
    #[arg(long)]
    node_dir: Option<PathBuf>,
}

/// Not measured: brings connections, caches and the database up to speed first.
const WARMUP: Duration = Duration::from_secs(1);

/// A phase ends when every delivery has arrived or none has for this long.
const QUIET: Duration = Duration::from_secs(2);

pub async fn run(args: FanoutArgs) -> anyhow::Result<()> {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "# fanout clients={} senders={} in_flight={} rate={}/s seconds={} content={CONTENT_BYTES}B cores={cores}; \
         the load clients run on the same cores as the server, so every figure includes that contention",
        args.clients, args.senders, args.in_flight, args.rate, args.seconds
    );
    let mut runs = Vec::new();
    runs.push(measure(servers::bare(args.socket_buffer).await?, &args).await?);
    if servers::node_available().await {
        let dir = args
            .node_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(servers::NODE_DIR));
        runs.push(measure(servers::node(&dir).await?, &args).await?);
    } else {
        println!("[node] skipped: node is not on PATH");
    }
    let huddle = servers::huddle(&args.bin, args.clients + args.senders).await?;
    runs.push(measure(huddle, &args).await?);
    print_ratios(&runs);
    Ok(())
}

/// Connects the clients to one server, runs the warm-up and the measured phases, and stops it.
async fn measure(target: Target, args: &FanoutArgs) -> anyhow::Result<ServerRun> {
    let name = target.name;
    let base = &target.process.base;
    eprintln!(
        "[{name}] connecting {} receivers and {} senders",
        args.clients, args.senders
    );
    let epoch = Instant::now();
    let receivers = Receivers::connect(base, NAMESPACE, &target.auth, args.clients, epoch).await?;
    let senders = Senders::connect(base, NAMESPACE, &target.auth, args.senders, epoch).await?;
    // Let the join traffic (Huddle's presence updates, for one) settle before measuring.
    tokio::time::sleep(Duration::from_millis(500)).await;

    let measured: &[Phase] = match args.mode {
        Mode::Closed => &[Phase::Closed],
        Mode::Paced => &[Phase::Paced],
        Mode::Both => &[Phase::Closed, Phase::Paced],
    };
    let warmup_shape = measured[0];
    let mut phases = Vec::new();
    for &phase in std::iter::once(&Phase::Warmup).chain(measured) {
        let (shape, duration) = match phase {
            Phase::Warmup => (warmup_shape, WARMUP),
            _ => (phase, Duration::from_secs(args.seconds)),
        };
        eprintln!(
            "[{name}] {} for {:.0} s",
            phase.name(),
            duration.as_secs_f64()
        );
        let result = run_phase(
            &target, &receivers, &senders, args, phase, shape, duration, epoch,
        )
        .await
        .with_context(|| format!("{name} {}", phase.name()))?;
        if phase == Phase::Warmup {
            eprintln!(
                "[{name}] warm-up: {} deliveries, {} errors",
                result.deliveries, result.senders.errors
            );
        } else {
            result.print(name);
            phases.push(result);
        }
    }
    let rss_kib = target.process.rss_kib().unwrap_or(0);
    println!("[{name}] rss_kib={rss_kib}");
    drop(senders);
    drop(receivers);
    if let Err(e) = target.process.terminate().await {
        eprintln!("[{name}] did not stop cleanly: {e:#}");
    }
    Ok(ServerRun {
        name,
        phases,
        rss_kib,
    })
}

/// One phase: `phase` labels the messages, `shape` says how they are sent (the warm-up sends
/// like the first measured mode).
#[allow(clippy::too_many_arguments)]
async fn run_phase(
    target: &Target,
    receivers: &Receivers,
    senders: &Senders,
    args: &FanoutArgs,
    phase: Phase,
    shape: Phase,
    duration: Duration,
    epoch: Instant,
) -> anyhow::Result<PhaseResult> {
    let process = &target.process;
    let cpu_before = process
        .cpu_ticks()
        .context("reading the server's CPU time")?;
    let started = epoch.elapsed();
    let count = args.senders.max(1);
    let rate = args.rate.max(1) as f64;
    let tally = senders
        .run(phase, duration, |index| match shape {
            Phase::Paced => Shape::Paced {
                interval: Duration::from_secs_f64(count as f64 / rate),
                offset: Duration::from_secs_f64(index as f64 / rate),
            },
            _ => Shape::Closed {
                in_flight: args.in_flight,
            },
        })
        .await?;
    let expected = tally.sent.saturating_sub(tally.errors) * args.clients as u64;
    drain(receivers, phase, expected).await;
    let cpu_after = process
        .cpu_ticks()
        .context("reading the server's CPU time")?;
    let mut seen = receivers.take(phase);
    let last = Duration::from_nanos(seen.last_ns);
    Ok(PhaseResult {
        phase,
        senders: tally,
        expected,
        deliveries: seen.latencies.len() as u64,
        order_violations: seen.order_violations,
        disagreeing: seen.disagreeing,
        cpu_secs: cpu_after.saturating_sub(cpu_before) as f64 / clock_ticks_per_second() as f64,
        window_secs: last.saturating_sub(started).as_secs_f64(),
        latency: PhaseResult::latency_of(&mut seen.latencies),
    })
}

/// Waits until `expected` deliveries of `phase` have arrived, or none for [`QUIET`].
async fn drain(receivers: &Receivers, phase: Phase, expected: u64) {
    let mut last = receivers.delivered(phase);
    let mut changed = Instant::now();
    while last < expected && changed.elapsed() < QUIET {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let now = receivers.delivered(phase);
        if now != last {
            last = now;
            changed = Instant::now();
        }
    }
}
